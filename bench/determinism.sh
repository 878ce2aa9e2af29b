#!/usr/bin/env bash
# What recording the clock, UUIDs and random values costs (reprise.deterministic, docs/guarantees.md#recorded-values),
# measured in one run with the setting on and off, alternated so that drift touches both:
#
#   bench/determinism.sh --smoke        tiny sizes, about a minute; the numbers mean nothing
#   bench/determinism.sh                the run docs/benchmarks-determinism.md is made from (about 12 minutes)
#
# Options: --runs N (default 3) --seconds N (default 10) --connections 1,8,64 --starts N (default 5) --no-build
#          --report FILE (default bench/target/determinism.md)
# Measures: (1) POST throughput and p99 of samples/counter and of bench/services IdsApp (ten UUID.randomUUID() and
# ten Instant.now() per request), on ÷ off, medians of the runs; (2) journal bytes on disk per entry (du of the
# .cq4 files ÷ requests journaled); (3) start-up of the Spring Boot ledger sample (JVM start to port accepting):
# no agent, agent with deterministic=false, agent with deterministic=true, medians of --starts starts, on the
# default java and on /usr/lib/jvm/temurin-25-jdk-amd64 where it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3; seconds=10; connections="1,8,64"; starts=5; build=1; report=bench/target/determinism.md
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) runs=1; seconds=2; connections="8"; starts=1 ;;
    --runs) runs="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --starts) starts="$2"; shift ;;
    --report) report="$2"; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/determinism.sh: unknown option $1 (try --help)" >&2; exit 64 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "bench: wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
if [[ $build -eq 1 ]]; then
  echo "bench: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
agent=agent/target/reprise-agent.jar
work=$(mktemp -d /tmp/reprise-determinism.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$(dirname "$report")"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

port=18431
wait_port() { # bounded: 60 s
  for _ in $(seq 1 600); do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: port $port never opened" >&2; return 1
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# one_run SERVICE MODE CONNECTIONS -> "rps p99_us bytes_per_entry"
one_run() {
  local service=$1 mode=$2 c=$3 dir="$work/data-$1-$2-$3-$RANDOM"
  local cmd
  if [[ $service == counter ]]; then
    cmd=(-jar samples/counter/target/counter-sample.jar --host 127.0.0.1 --port $port)
  else
    cmd=(-cp bench/services/target/bench-services.jar io.reprise.bench.services.IdsApp --port $port)
  fi
  java -javaagent:$agent -Dreprise.dir="$dir" -Dreprise.deterministic=$mode -Dreprise.snapshot.interval=1h \
       "${cmd[@]}" > "$work/service.log" 2>&1 &
  local pid=$!
  wait_port
  local threads=$(( c < 2 ? 1 : 2 ))
  wrk -t$threads -c$c -d2s -s bench/wrk/bench.lua http://127.0.0.1:$port -- post > /dev/null   # warm-up
  local line
  line=$(wrk -t$threads -c$c -d${seconds}s -s bench/wrk/bench.lua http://127.0.0.1:$port -- post | grep '^BENCH')
  kill $pid; wait $pid 2>/dev/null || true
  local requests duration p99 bytes
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
  bytes=$(du -B1 -c "$dir"/journal/*.cq4 | tail -1 | cut -f1)
  # Every request of both wrk runs (warm-up and measured) was journaled: bytes ÷ the entries the journal holds.
  local journaled
  journaled=$(java -jar tools/target/reprise-tools.jar summary "$dir" 2>/dev/null | sed -nE 's/^  entries +([0-9]+).*/\1/p' | head -1)
  awk -v r="$requests" -v d="$duration" -v p="$p99" -v b="$bytes" -v j="${journaled:-0}" \
      'BEGIN { printf "%.0f %d %s\n", r / (d / 1e6), p, (j > 0 ? sprintf("%.1f", b / j) : "n/a") }'
  rm -rf "$dir"
}

{
  echo "# recorded values: deterministic on ÷ off"
  echo
  echo "Command: \`bench/determinism.sh --runs $runs --seconds $seconds --connections $connections --starts $starts\`; load average at start: $load_start; $(nproc) cores; $(java -version 2>&1 | head -1)."
  echo
  echo "| service | connections | POST/s on | POST/s off | on ÷ off | p99 µs on | p99 µs off | journal bytes/entry on | off |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$report"
for service in counter ids; do
  for c in ${connections//,/ }; do
    : > "$work/on"; : > "$work/off"
    for _ in $(seq 1 "$runs"); do
      one_run $service true "$c" >> "$work/on"
      one_run $service false "$c" >> "$work/off"
    done
    on_rps=$(cut -d' ' -f1 "$work/on" | median); off_rps=$(cut -d' ' -f1 "$work/off" | median)
    on_p99=$(cut -d' ' -f2 "$work/on" | median); off_p99=$(cut -d' ' -f2 "$work/off" | median)
    on_b=$(cut -d' ' -f3 "$work/on" | tail -1); off_b=$(cut -d' ' -f3 "$work/off" | tail -1)
    name=$([[ $service == counter ]] && echo "samples/counter" || echo "IdsApp (10 UUIDs + 10 Instant.now per POST)")
    awk -v n="$name" -v c="$c" -v a="$on_rps" -v b="$off_rps" -v pa="$on_p99" -v pb="$off_p99" -v ba="$on_b" -v bb="$off_b" \
        'BEGIN { printf "| %s | %d | %d | %d | **%.2f** | %d | %d | %s | %s |\n", n, c, a, b, a / b, pa, pb, ba, bb }' >> "$report"
    echo "bench: $service c=$c done"
  done
done

# Start-up of the Spring Boot ledger: JVM start to the port accepting, a fresh data directory each time.
ledger=$(ls samples/ledger-spring/target/*.jar | grep -v original | head -1)
startup() { # JAVA MODE (none | false | true) -> milliseconds
  local dir="$work/ledger-$RANDOM" agentargs=() javabin=$1 mode=$2
  if [[ $mode != none ]]; then agentargs=(-javaagent:$agent -Dreprise.dir="$dir" -Dreprise.deterministic=$mode); fi
  local t0; t0=$(date +%s%N)
  "$javabin" "${agentargs[@]}" -jar "$ledger" --server.port=$port --server.address=127.0.0.1 > "$work/ledger.log" 2>&1 &
  local pid=$!
  wait_port
  local t1; t1=$(date +%s%N)
  grep -h "recorded values: call sites rewritten" "$work/ledger.log" | sed -E 's/.*so far: //' > "$work/rewritten-$mode" || true
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
  echo $(( (t1 - t0) / 1000000 ))
}
jdks=(java)
if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then jdks+=(/usr/lib/jvm/temurin-25-jdk-amd64/bin/java); fi
{
  echo
  echo "Start-up of the Spring Boot ledger ($ledger), JVM start to port accepting, a fresh data directory each time, median of $starts:"
  echo
  echo "| JDK | no agent | agent, deterministic=false | agent, deterministic=true | true − false | the agent's count (last start, true) |"
  echo "|---|---|---|---|---|---|"
} >> "$report"
for javabin in "${jdks[@]}"; do
  for mode in none false true; do : > "$work/start-$mode"; done
  for _ in $(seq 1 "$starts"); do
    for mode in none false true; do startup "$javabin" $mode >> "$work/start-$mode"; done
  done
  n=$(median < "$work/start-none"); f=$(median < "$work/start-false"); t=$(median < "$work/start-true")
  version=$("$javabin" -version 2>&1 | head -1 | sed -E 's/.*version "([^"]+)".*/\1/')
  awk -v j="$version" -v n="$n" -v f="$f" -v t="$t" -v r="$(cat "$work/rewritten-true")" \
      'BEGIN { printf "| %s | %d ms | %d ms | %d ms | **%+d ms** | %s |\n", j, n, f, t, t - f, r }' >> "$report"
done
echo >> "$report"
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$report"
cat "$report"
