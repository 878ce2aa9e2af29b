#!/usr/bin/env bash
# The benchmark harness, one command (see bench/README.md):
#
#   bench/run.sh --smoke     every step with tiny sizes, about a minute (CI runs this); numbers mean nothing
#   bench/run.sh --full      the run docs/benchmarks.md is made from: 45-60 minutes on 2 cores, on a quiet machine
#
# Other options:  --steps load,startup,recovery,servlet-replay,pause,jmh,report   only these (the report uses what is there)
#                 --no-build                                       use the jars already built
#                 --no-install                                     never call apt-get
#                 --work DIR  --report FILE  --java PATH           see bench/README.md
#                 --scenarios baseline,none,previous-none          only these load scenarios
#                 --previous-agent JAR  [--previous-agent-label TEXT]  also measure an earlier release's agent, sync=none
#                 --runs N  --seconds N  --connections 1,8,64      load repetitions, seconds per measurement, wrk connections
#                 --mixes post                                     only these wrk mixes (post, mix)
#                 --journal-lengths 100000,1000000                 journal lengths of the recovery step
set -euo pipefail
caller_dir="$PWD"
cd "$(dirname "$0")/.."

mode=""
build=1
install=1
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke|--full) mode="$1"; args+=("$1") ;;
    --no-build) build=0 ;;
    --no-install) install=0 ;;
    --steps|--work|--report|--java|--scenarios|--previous-agent|--previous-agent-label|--runs|--rounds|--seconds|--connections|--mixes|--journal-lengths)
      if [[ $# -lt 2 ]]; then echo "bench/run.sh: $1 needs a value (try --help)" >&2; exit 64; fi
      value="$2"
      # The previous release's jar is named from where the command was typed; the harness runs from the repository root.
      if [[ "$1" == "--previous-agent" && "$value" != /* ]]; then value="$caller_dir/$value"; fi
      args+=("$1" "$value"); shift ;;
    -h|--help) sed -n '2,15p' bench/run.sh; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (try --help)" >&2; exit 64 ;;
  esac
  shift
done
if [[ -z "$mode" ]]; then
  echo "bench/run.sh: say --smoke (tiny sizes, about a minute) or --full (the report's run, up to an hour)" >&2
  exit 64
fi
started=$(date +%s)

# 1. Tools: wrk (the client), redis-server and PostgreSQL (the alternatives), all from Debian's packages.
have_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
have_postgres || missing+=(postgresql)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $install -eq 1 && $(id -u) -eq 0 ]]; then
    echo "bench: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # A policy-rc.d that says no keeps the packages from starting system-wide Redis and PostgreSQL services:
    # the harness starts its own, on free loopback ports, and stops them.
    own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ $own_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "bench: missing ${missing[*]}: run as root to install them, or install them yourself:" >&2
    echo "bench:   sudo apt-get install ${missing[*]}" >&2
    if [[ " ${missing[*]} " == *" wrk "* ]]; then
      echo "bench: wrk is the load generator; nothing can be measured without it" >&2
      exit 1
    fi
    echo "bench: the scenarios that need them are reported as not measured" >&2
  fi
fi

# 2. Build (the reactor: agent, counter sample, bench services, JMH jar, harness).
if [[ $build -eq 1 ]]; then
  echo "bench: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi

# 3. Run. The harness writes journals and snapshots itself, so it needs what Chronicle Queue needs.
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
opens=(--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
       --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
       --add-opens=java.base/java.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
       --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
       --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED)
shown="bench/run.sh $mode"
for a in "${args[@]}"; do
  if [[ "$a" == "$mode" ]]; then continue; fi
  if [[ "$a" =~ [^A-Za-z0-9_./,=:+-] ]]; then shown+=" $(printf '%q' "$a")"; else shown+=" $a"; fi
done
"$java_bin" "${opens[@]}" -Djava.awt.headless=true -jar bench/harness/target/bench-harness.jar "${args[@]}" --command "$shown"
echo "bench: $mode finished in $(( $(date +%s) - started )) s"
