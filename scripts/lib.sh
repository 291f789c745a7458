# Shared by scripts/run, scripts/test and scripts/build-site: install what is missing,
# nothing more. Sourced, not run.

# The repository root, whatever directory the script was started from.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
# The browser bundles' own target directory (scripts/build-site), so the server and the
# bundles can build at the same time.
BROWSER_TARGET_DIR="$TARGET_DIR/browser"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    step "Installing Chromium from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_node_modules() {
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "Installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

# PostgreSQL for the second backend's tests: 127.0.0.1:5432, trust auth for local users.
PG_SERVER="${LECTERN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    step "Installing PostgreSQL from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  step "Starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
  return 1
}

# Each PostgreSQL test makes a database named lectern_t_<uuid>; this drops them all.
drop_test_databases() {
  psql "$PG_SERVER/postgres" -Atqc "select datname from pg_database where datname like 'lectern\_t\_%'" 2>/dev/null |
    while read -r db; do psql "$PG_SERVER/postgres" -qc "drop database if exists \"$db\" with (force)" >/dev/null; done
}

# aiosmtpd from PyPI: the SMTP server the email tests start (tools/smtp-sink).
ensure_aiosmtpd() {
  if python3 -c 'import aiosmtpd' 2>/dev/null; then return; fi
  step "Installing aiosmtpd (the tests' SMTP server) from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check 'aiosmtpd==1.4.6'
}

# Debian's nginx, for the test of the deployment example (deploy/nginx.conf).
ensure_nginx() {
  if ! [ -x /usr/sbin/nginx ]; then
    step "Installing nginx from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  fi
}
