#!/usr/bin/env bash
# Makes the two Temporal server binaries available without internet access to
# Temporal's download host, and prints where they are:
#   temporal CLI (dev server): $TEMPORAL_CLI_PATH, else `temporal` on PATH, else
#     .tools/bin/temporal built with `go install` from the Go module proxy.
#   time-skipping test server: the io.temporal:temporal-test-server jars from
#     Maven Central in .tools/test-server/lib, started by .tools/bin/temporal-test-server.
# Without Go, the dev server falls back to the SDK's own download at run time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/consentline"
mkdir -p "$bin" "$cache"

cli_version=v1.5.1 # newest CLI tag without a go.mod `replace`, so `go install` works

ensure_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then echo "$TEMPORAL_CLI_PATH"; return; fi
  if [ -x "$bin/temporal" ]; then echo "$bin/temporal"; return; fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  # Built once per machine into the user's cache, so fresh clones reuse it.
  local cached="$cache/temporal-cli-$cli_version/temporal"
  if [ ! -x "$cached" ] && command -v go >/dev/null 2>&1; then
    echo "building the Temporal CLI $cli_version with go install (a few minutes, once per machine)" >&2
    GOBIN="$(dirname "$cached")" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$cli_version" >&2
  fi
  if [ -x "$cached" ]; then
    ln -sf "$cached" "$bin/temporal"
    echo "$bin/temporal"
    return
  fi
  echo "no temporal CLI and no Go: the SDK will download the dev server at run time" >&2
  echo ""
}

ensure_test_server() {
  local lib="$root/.tools/test-server/lib" wrapper="$bin/temporal-test-server"
  if ! ls "$lib"/temporal-test-server-*.jar >/dev/null 2>&1; then
    command -v mvn >/dev/null 2>&1 || { echo "Maven is needed to fetch the Temporal test server" >&2; exit 1; }
    echo "fetching io.temporal:temporal-test-server from Maven Central" >&2
    mvn -q -B -f "$root/scripts/test-server/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$lib" >&2
  fi
  cat >"$wrapper" <<WRAP
#!/usr/bin/env bash
# Started by TestWorkflowEnvironment.createTimeSkipping as <wrapper> <port> [flags].
# Fast JVM start-up flags: the SDK gives the server 5 seconds to bind its port.
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -cp "$lib/*" io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$wrapper"
  echo "$wrapper"
}

case "${1:-all}" in
  cli) ensure_cli ;;
  test-server) ensure_test_server ;;
  all) echo "temporal CLI: $(ensure_cli)"; echo "test server: $(ensure_test_server)" ;;
  *) echo "usage: $0 [cli|test-server|all]" >&2; exit 2 ;;
esac
