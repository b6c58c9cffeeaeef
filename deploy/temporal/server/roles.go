// Which role a caller plays, from the subject of its client certificate (mutual TLS: every caller
// of the frontend has one, issued by the CA in server.yaml). The common name names the role;
// AIRLOCK_TEMPORAL_ROLES (cn=role,…) adds or renames subjects for certificates from another CA.
// An unknown subject gets no claims, and the authorizer refuses it everything but health checks.
package main

import (
	"os"
	"strings"

	"go.temporal.io/server/common/authorization"
)

// Role is what a certificate's holder may do (authorizer.go).
type Role string

const (
	RoleSystem   Role = "system"   // the Temporal services themselves (system worker, internode)
	RoleOperator Role = "operator" // people: the airlock CLI, the temporal CLI, namespace setup
	RoleUI       Role = "ui"       // the Temporal UI server (read-only)
	RoleWorker   Role = "worker"   // Airlock's workers: run workflows and activities
	RoleWebhook  Role = "webhook"  // card clicks and chat messages: signals only
	RoleA2A      Role = "a2a"      // external A2A clients' questions: exchanges only
)

// The subjects scripts/certs.sh issues.
var defaultRoles = map[string]Role{
	"temporal-system-worker": RoleSystem,
	"temporal-internode":     RoleSystem,
	"temporal-frontend":      RoleSystem,
	"operator":               RoleOperator,
	"temporal-ui":            RoleUI,
	"airlock-worker":         RoleWorker,
	"airlock-webhook":        RoleWebhook,
	"airlock-a2a":            RoleA2A,
}

var known = map[Role]bool{
	RoleSystem: true, RoleOperator: true, RoleUI: true, RoleWorker: true, RoleWebhook: true, RoleA2A: true,
}

func rolesFromEnv() map[string]Role {
	roles := make(map[string]Role, len(defaultRoles))
	for cn, r := range defaultRoles {
		roles[cn] = r
	}
	for _, pair := range strings.Split(os.Getenv("AIRLOCK_TEMPORAL_ROLES"), ",") {
		cn, r, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && known[Role(r)] {
			roles[cn] = Role(r)
		}
	}
	return roles
}

var roles = rolesFromEnv()

// certificateClaimMapper maps the caller's certificate subject to claims carrying its Role.
type certificateClaimMapper struct{}

func (certificateClaimMapper) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	if info == nil || info.TLSSubject == nil {
		return nil, nil
	}
	role, ok := roles[info.TLSSubject.CommonName]
	if !ok {
		return nil, nil
	}
	claims := &authorization.Claims{Subject: info.TLSSubject.CommonName, AuthType: "mtls", Extensions: role}
	if role == RoleSystem {
		// The server's own callers keep every right the stock server gives them.
		claims.System = authorization.RoleAdmin
	}
	return claims, nil
}
