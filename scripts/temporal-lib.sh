# Shared by the dev server (temporal.sh) and the production profile (production.sh): the namespaces
# Airlock uses and the search attributes its workflows set. Sourced after lib.sh, never run.

# Search attributes the workflows set (workflows/*/search.ts; SQL visibility allows 10 Keyword
# attributes), and the namespaces they are registered in: `default` for the operator's runs and
# `airlock-test` for `make test`, so test runs never crowd the operator's view in the UI.
ATTRS=(AgentId=Keyword Capability=Keyword ActionKind=Keyword ApprovalState=Keyword Approver=Keyword
  PolicyRule=Keyword ApproverKeys=KeywordList SessionState=Keyword AgentLastActivity=Datetime
  FromAgent=Keyword ToAgent=Keyword ExchangeState=Keyword)
NAMESPACES=(default airlock-test)

# ensure_search_attributes CLI_ARGS…: create the namespaces and register every search attribute in
# each (CLI_ARGS: --address and TLS flags for `temporal operator`). A server started by an older
# checkout gets the ones it lacks; registering one that exists is a no-op.
ensure_search_attributes() {
  local ns a have
  for ns in "${NAMESPACES[@]}"; do
    temporal operator namespace describe "$@" -n "$ns" >/dev/null 2>&1 \
      || temporal operator namespace create "$@" -n "$ns" --retention 7d >/dev/null 2>&1 || true
    # A namespace created a moment ago takes a few seconds to be usable.
    wait_for 30 temporal operator namespace describe "$@" -n "$ns" \
      || die "namespace $ns could not be created" "read the Temporal server's log"
    have=$(temporal operator search-attribute list "$@" -n "$ns" 2>/dev/null || true)
    for a in "${ATTRS[@]}"; do
      grep -qw "${a%%=*}" <<<"$have" && continue
      wait_for 30 temporal operator search-attribute create "$@" -n "$ns" \
        --name "${a%%=*}" --type "${a#*=}" \
        || die "could not register search attribute ${a%%=*} in namespace $ns" "read the Temporal server's log, or run 'make down && make up'"
    done
  done
}
