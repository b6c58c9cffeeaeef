#!/usr/bin/env bash
# Local certificates for the production profile's mutual TLS: one CA, the frontend's and the
# internode server certificates, the Temporal system worker's, and one client certificate per role
# (its subject's CN is the role the server's authorizer reads, deploy/temporal/server/roles.go):
# airlock-worker, airlock-webhook, airlock-a2a, temporal-ui, and operator (the airlock and temporal
# CLIs). For local use only: real deployments bring certificates from their own CA with the same
# subjects (docs/production.md).
# Usage: certs.sh DIR   (idempotent: keeps certificates that are valid for 7 more days)
. "$(dirname "$0")/lib.sh"
DIR="${1:?usage: certs.sh DIR}"
ensure_writable "$DIR"
command -v openssl >/dev/null || die "openssl is not installed" "apt-get install -y openssl"
DAYS=90

fresh() { [ -s "$1" ] && openssl x509 -checkend $((7 * 86400)) -noout -in "$1" >/dev/null 2>&1; }

# issue NAME SUBJECT_CN EXTENSIONS: a P-256 key and a certificate signed by the local CA.
issue() {
  local name="$1" cn="$2" ext="$3"
  fresh "$DIR/$name.pem" && return 0
  (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/$name.key.tmp")
  openssl pkcs8 -topk8 -nocrypt -in "$DIR/$name.key.tmp" -out "$DIR/$name.key" && rm -f "$DIR/$name.key.tmp"
  chmod 600 "$DIR/$name.key"
  openssl req -new -key "$DIR/$name.key" -subj "/O=Airlock local/CN=$cn" -out "$DIR/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$DIR/$name.ext"
  openssl x509 -req -in "$DIR/$name.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$DIR/$name.ext" -out "$DIR/$name.pem" 2>/dev/null \
    || die "could not issue the $name certificate" "delete $DIR and rerun"
  rm -f "$DIR/$name.csr" "$DIR/$name.ext"
}

if ! fresh "$DIR/ca.pem"; then
  say "generating a local certificate authority for Temporal's mutual TLS ($DIR)"
  rm -f "$DIR"/*.pem "$DIR"/*.key
  (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/ca.key")
  openssl req -x509 -new -key "$DIR/ca.key" -subj "/O=Airlock local/CN=Airlock local CA" -days "$DAYS" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$DIR/ca.pem" 2>/dev/null || die "could not create the local CA" "check that openssl works"
fi

SERVER_EXT="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth"
CLIENT_EXT="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
issue frontend temporal-frontend "$SERVER_EXT
subjectAltName=DNS:temporal-frontend,DNS:localhost,IP:127.0.0.1"
issue internode temporal-internode "$SERVER_EXT
subjectAltName=DNS:temporal-internode,DNS:temporal-history,DNS:temporal-matching,DNS:temporal-worker,IP:127.0.0.1"
issue system-worker temporal-system-worker "$CLIENT_EXT"
issue worker airlock-worker "$CLIENT_EXT"
issue webhook airlock-webhook "$CLIENT_EXT"
issue a2a airlock-a2a "$CLIENT_EXT"
issue ui temporal-ui "$CLIENT_EXT"
issue operator operator "$CLIENT_EXT"
# The one certificate every Airlock process once shared: retired, its subject has no role.
rm -f "$DIR/airlock.pem" "$DIR/airlock.key"
rm -f "$DIR/ca.srl"
