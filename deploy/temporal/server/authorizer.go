// What each role may call on the frontend. Health checks are open to all; the system role may call
// everything; every other role gets an allow-list, and some calls are checked further on the request
// itself (which signal, which workflow type, which workflow id), since the API name alone cannot
// say "only approval decisions".
package main

import (
	"context"
	"strings"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/api"
	"go.temporal.io/server/common/authorization"
)

type roleAuthorizer struct{}

var (
	allow = authorization.Result{Decision: authorization.DecisionAllow}
	deny  = authorization.Result{Decision: authorization.DecisionDeny}
)

func denied(reason string) authorization.Result {
	return authorization.Result{Decision: authorization.DecisionDeny, Reason: reason}
}

// Calls any connected client makes to learn about the server.
var clientBasics = map[string]bool{
	"GetSystemInfo":     true,
	"GetClusterInfo":    true,
	"DescribeNamespace": true,
}

// The operator's writes: cancel a run, close a session or revoke a grant (airlock CLI), and set
// up namespaces and search attributes (scripts/temporal-lib.sh).
var operatorWrites = map[string]bool{
	"RequestCancelWorkflowExecution": true,
	"RegisterNamespace":              true,
	"UpdateNamespace":                true,
	"AddSearchAttributes":            true,
}
var operatorSignals = map[string]bool{"closeSession": true, "revokeGrant": true}

// A worker's writes, less the two that rewrite or erase what already happened: a reset replays
// a run (and could execute an approved request again), a delete erases its history.
var workerNever = map[string]bool{"ResetWorkflowExecution": true, "DeleteWorkflowExecution": true}

// What the webhook may read: enough to find pending cards and answer its health check; not the
// histories, whose payloads its key could open.
var webhookReads = map[string]bool{
	"ListWorkflowExecutions":    true,
	"CountWorkflowExecutions":   true,
	"DescribeWorkflowExecution": true,
	"QueryWorkflow":             true,
}
var webhookSignals = map[string]bool{"approvalDecision": true, "showCard": true}

// The A2A server's workflows: exchanges it started for external clients (src/a2a/tasks.ts).
const a2aExchangePrefix = "exchange:a2a."

func (roleAuthorizer) Authorize(_ context.Context, claims *authorization.Claims, target *authorization.CallTarget) (authorization.Result, error) {
	if authorization.IsHealthCheckAPI(target.APIName) {
		return allow, nil
	}
	if claims == nil {
		return denied("no role: the client certificate's subject is not one Airlock knows"), nil
	}
	role, _ := claims.Extensions.(Role)
	if role == RoleSystem {
		return allow, nil
	}
	meta := api.GetMethodMetadata(target.APIName)
	if meta.Scope == api.ScopeUnknown {
		return deny, nil
	}
	isWorkflowService := strings.HasPrefix(target.APIName, api.WorkflowServicePrefix)
	isOperatorService := strings.HasPrefix(target.APIName, api.OperatorServicePrefix)
	method := api.MethodName(target.APIName)
	if clientBasics[method] && isWorkflowService {
		return allow, nil
	}
	readOnly := meta.Access == api.AccessReadOnly && (isWorkflowService || isOperatorService)

	switch role {
	case RoleUI:
		if readOnly {
			return allow, nil
		}
	case RoleOperator:
		if readOnly || operatorWrites[method] {
			return allow, nil
		}
		if r, ok := target.Request.(*workflowservice.SignalWorkflowExecutionRequest); ok && operatorSignals[r.GetSignalName()] {
			return allow, nil
		}
		// `airlock agents send|chat`: an operator talks to an agent as the webhook's users do.
		if isSessionMessage(target.Request) {
			return allow, nil
		}
	case RoleWorker:
		// Everything a worker and its activities' client do in a namespace; no admin calls.
		if (isWorkflowService || isOperatorService) && meta.Access != api.AccessAdmin && !workerNever[method] {
			return allow, nil
		}
	case RoleWebhook:
		if isWorkflowService && webhookReads[method] {
			return allow, nil
		}
		switch r := target.Request.(type) {
		case *workflowservice.SignalWorkflowExecutionRequest:
			if webhookSignals[r.GetSignalName()] {
				return allow, nil
			}
		}
		if isSessionMessage(target.Request) {
			return allow, nil
		}
	case RoleA2A:
		switch r := target.Request.(type) {
		case *workflowservice.StartWorkflowExecutionRequest:
			if r.GetWorkflowType().GetName() == "agentExchangeWorkflow" && strings.HasPrefix(r.GetWorkflowId(), a2aExchangePrefix) {
				return allow, nil
			}
		case *workflowservice.DescribeWorkflowExecutionRequest:
			if strings.HasPrefix(r.GetExecution().GetWorkflowId(), a2aExchangePrefix) {
				return allow, nil
			}
		case *workflowservice.QueryWorkflowRequest:
			if strings.HasPrefix(r.GetExecution().GetWorkflowId(), a2aExchangePrefix) {
				return allow, nil
			}
		case *workflowservice.GetWorkflowExecutionHistoryRequest:
			if strings.HasPrefix(r.GetExecution().GetWorkflowId(), a2aExchangePrefix) {
				return allow, nil
			}
		}
	}
	return denied(string(role) + " may not call " + method), nil
}

// isSessionMessage: a message to an agent's session, started if needed (src/agents/sessions.ts).
func isSessionMessage(request any) bool {
	r, ok := request.(*workflowservice.SignalWithStartWorkflowExecutionRequest)
	return ok && r.GetWorkflowType().GetName() == "agentSessionWorkflow" &&
		r.GetSignalName() == "sessionMessage" && strings.HasPrefix(r.GetWorkflowId(), "session:")
}
