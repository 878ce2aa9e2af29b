#!/usr/bin/env bash
# What an Idempotency-Key costs (docs/guarantees.md#exactly-once-for-requests-with-an-idempotency-key): the counter
# sample with the agent, every POST carrying its own key ("keys") or none ("no keys"), in one run, the two alternated
# so that drift touches both:
#
#   bench/idempotency.sh --smoke        1 run, 2 s, 8 connections, about a minute; the numbers mean nothing
#   bench/idempotency.sh                3 runs of 10 s at 1, 8 and 64 connections (about 6 minutes on 2 cores)
#
# Options: --runs N (default 3) --seconds N (default 10) --connections 1,8,64 --no-build
#          --report FILE (default bench/target/idempotency.md)
# Measures: (1) POST /counter/increment throughput and p99 (wrk, bench/wrk/idempotency-key.lua), keys ÷ no keys of
# the medians of the runs; (2) journal bytes on disk per entry (du of the .cq4 files ÷ the entries reprise-tools
# summary counts); (3) heap per key: used heap after two GC.run (jcmd GC.heap_info), keys minus no keys, ÷ the keys
# in the table (the counter's value). Every run is a fresh JVM (-Xmx2g, G1) on a fresh data directory, with the key
# table's bounds raised (max-keys 10000000, max-memory 1536MiB) so that no key is forgotten during a run, which is
# checked; snapshots are off so that only the request path is measured. Needs wrk and the JDK's jcmd.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3; seconds=10; connections="1,8,64"; build=1; report=bench/target/idempotency.md
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) runs=1; seconds=2; connections="8" ;;
    --runs) runs="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --report) report="$2"; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench/idempotency.sh: unknown option $1 (try --help)" >&2; exit 64 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "bench: wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
jcmd="$(dirname "$(readlink -f "$(command -v java)")")/jcmd"
[[ -x $jcmd ]] || { echo "bench: $jcmd is missing: the java on the PATH must be a JDK" >&2; exit 1; }
if [[ $build -eq 1 ]]; then
  echo "bench: building (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
fi
agent=agent/target/reprise-agent.jar
counter=samples/counter/target/counter-sample.jar
tools=tools/target/reprise-tools.jar
lua=bench/wrk/idempotency-key.lua
for jar in $agent $counter $tools; do
  [[ -f $jar ]] || { echo "bench: $jar is missing: build first (mvn -B -q package -DskipTests), or drop --no-build" >&2; exit 1; }
done
work=$(mktemp -d /tmp/reprise-idempotency.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$(dirname "$report")"
load_start=$(LC_ALL=C uptime | sed -E 's/.*load average: //')
busy=$(awk -v l="${load_start%%,*}" -v n="$(nproc)" 'BEGIN { print (l > n / 2) ? 1 : 0 }')
if [[ $busy -eq 1 ]]; then
  echo "bench: the machine is busy (load average $load_start on $(nproc) cores): the numbers will be disturbed" >&2
fi

# The same JVM and agent options for both variants; only the requests differ.
jvm_opts=(-Xmx2g -XX:+UseG1GC)
reprise_opts=(-Dreprise.idempotency.max-keys=10000000 -Dreprise.idempotency.max-memory=1536MiB
              -Dreprise.snapshot.interval=1h -Dreprise.snapshot.every=2000000000)

port=18433
# http METHOD PATH [HEADER] -> the whole answer (status line, headers, body; CR removed), empty if none. Bounded: 5 s.
http() {
  local request
  printf -v request '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n' "$1" "$2" "${3:+$3$'\r\n'}"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "%s" "$1" >&3 && cat <&3' "$port" "$request" 2>/dev/null \
      | tr -d '\r' || true
}
# Serving means answering, not only accepting: the agent binds the port for an instant at HttpServer.create to see
# that it is free, and a connection that lands then is accepted and reset (bench/README.md).
wait_serving() { # bounded: 60 s
  for _ in $(seq 1 600); do
    if [[ $(http GET /counter) == "HTTP/1.1 200"* ]]; then return 0; fi
    sleep 0.1
  done
  echo "bench: port $port never answered" >&2; return 1
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
range() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "–" hi}'; }
field() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$2"; } # field NAME BENCH-LINE
fail() { # the service's log goes with the work directory: show its end first
  echo "bench: $*" >&2
  tail -20 "$work/service.log" >&2 2>/dev/null || true
  exit 1
}

# one_run VARIANT (keys | nokeys) CONNECTIONS -> "rps p99_us bytes_per_entry counter heap_used_kib entries"
one_run() {
  local variant=$1 c=$2 dir="$work/data-$1-$2-$RANDOM"
  java "${jvm_opts[@]}" -javaagent:$agent -Dreprise.dir="$dir" "${reprise_opts[@]}" \
       -jar $counter --host 127.0.0.1 --port $port > "$work/service.log" 2>&1 &
  local pid=$!
  wait_serving || fail "the counter did not start"
  local threads=$(( c < 2 ? 1 : 2 )) warm=(none) measured=(none)
  # Keys of the warm-up start with w-, those of the measurement with m-: no key repeats within a service's life.
  if [[ $variant == keys ]]; then warm=(key w); measured=(key m); fi
  local warm_line line
  warm_line=$(wrk -t$threads -c$c -d2s -s $lua http://127.0.0.1:$port -- "${warm[@]}" | grep '^BENCH') \
      || fail "wrk (warm-up) printed no BENCH line"
  line=$(wrk -t$threads -c$c -d${seconds}s -s $lua http://127.0.0.1:$port -- "${measured[@]}" | grep '^BENCH') \
      || fail "wrk printed no BENCH line"
  if [[ $(field status_errors "$warm_line") -ne 0 || $(field status_errors "$line") -ne 0 ]]; then
    fail "$variant c=$c: answers other than 2xx (a refused key?): $warm_line / $line"
  fi
  sleep 1 # requests wrk left unanswered when it stopped finish
  # Every increment of the keyed variant carried a new key, so the counter is the number of keys in the table.
  local value acked
  value=$(http GET /counter | sed '1,/^$/d')
  [[ $value =~ ^[0-9]+$ ]] || fail "GET /counter answered '$value'"
  acked=$(( $(field requests "$warm_line") + $(field requests "$line") ))
  (( value >= acked )) || fail "$variant c=$c: the counter is $value, but wrk saw $acked POSTs acknowledged"
  if [[ $variant == keys ]]; then
    # Keys leave the table oldest first: if the very first key is still answered from it, none was forgotten.
    # The first key is read from the journal's first entry (wrk's thread numbering is its own business).
    local first; first=$(java -jar $tools dump "$dir" 2>/dev/null | head -1 \
        | sed -nE 's/.*"name":"[Ii]dempotency-[Kk]ey","value":"([^"]+)".*/\1/p')
    [[ -n $first ]] || fail "keys c=$c: the journal's first entry has no Idempotency-Key"
    local again; again=$(http POST /counter/increment "Idempotency-Key: $first")
    grep -qi '^idempotent-replayed: *true' <<<"$again" \
        || fail "keys c=$c: the first key ($first) is no longer in the table; raise reprise.idempotency.max-keys/max-memory"
  fi
  "$jcmd" $pid GC.run > /dev/null || fail "jcmd $pid GC.run failed"
  "$jcmd" $pid GC.run > /dev/null || fail "jcmd $pid GC.run failed"
  local info heap
  info=$("$jcmd" $pid GC.heap_info) || fail "jcmd $pid GC.heap_info failed"
  # JDK 17, G1: " garbage-first heap   total 262144K, used 12345K [0x..., 0x...)"
  heap=$(sed -nE '/garbage-first heap/ s/.*, used ([0-9]+)K.*/\1/p' <<<"$info")
  [[ $heap =~ ^[0-9]+$ ]] || fail "no used figure in GC.heap_info: $info"
  kill $pid; wait $pid 2>/dev/null || true
  local requests duration p99 bytes
  requests=$(field requests "$line")
  duration=$(field duration_us "$line")
  p99=$(field p99_us "$line")
  bytes=$(du -B1 -c "$dir"/journal/*.cq4 | tail -1 | cut -f1)
  # Every request of both wrk runs (warm-up and measured) was journaled: bytes ÷ the entries the journal holds.
  local journaled
  journaled=$(java -jar $tools summary "$dir" 2>/dev/null | sed -nE 's/^  entries +([0-9]+).*/\1/p' | head -1)
  if [[ ${journaled:-0} -ne $value ]]; then
    echo "bench: $variant c=$c: the journal holds ${journaled:-no} entries, the counter is $value" >&2
  fi
  awk -v r="$requests" -v d="$duration" -v p="$p99" -v b="$bytes" -v j="${journaled:-0}" -v v="$value" -v h="$heap" \
      'BEGIN { printf "%.0f %d %s %d %d %d\n", r / (d / 1e6), p, (j > 0 ? sprintf("%.1f", b / j) : "n/a"), v, h, j }'
  rm -rf "$dir"
}
col() { cut -d' ' -f"$2" "$1" | grep -E '^[0-9.]+$' || true; } # col FILE N: the numeric values of column N
spread() { # spread FILE N -> "median (min–max)"
  local values; values=$(col "$1" "$2")
  if [[ -z $values ]]; then echo "n/a"; else echo "$(median <<<"$values") ($(range <<<"$values"))"; fi
}
ratio() { # ratio FILE-A FILE-B N -> median of A ÷ median of B
  local a b; a=$(col "$1" "$3" | median); b=$(col "$2" "$3" | median)
  awk -v a="$a" -v b="$b" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f\n", a / b; else print "n/a" }'
}

: > "$work/rows-load"; : > "$work/rows-journal"; : > "$work/rows-memory"
for c in ${connections//,/ }; do
  : > "$work/keys"; : > "$work/nokeys"
  for r in $(seq 1 "$runs"); do
    # The two swap places from one run to the next, so that neither always starts on a machine the other warmed.
    if (( r % 2 )); then order=(keys nokeys); else order=(nokeys keys); fi
    for variant in "${order[@]}"; do one_run $variant "$c" >> "$work/$variant"; done
  done
  k=$work/keys; n=$work/nokeys
  echo "| $c | $(spread $k 1) | $(spread $n 1) | **$(ratio $k $n 1)** | $(spread $k 2) | $(spread $n 2) | $(ratio $k $n 2) |" >> "$work/rows-load"
  echo "| $c | $(spread $k 3) | $(spread $n 3) | **$(ratio $k $n 3)** | $(col $k 6 | median) | $(col $n 6 | median) |" >> "$work/rows-journal"
  # Heap per key within each run (keys minus no keys of the same run, ÷ that run's keys), then the median.
  paste -d' ' $k $n | awk '{ printf "%.1f\n", ($5 - $11) * 1024 / $4 }' > "$work/per-key"
  awk '{ printf "%.1f\n", $5 / 1024 }' $k > "$work/mib-keys"; awk '{ printf "%.1f\n", $5 / 1024 }' $n > "$work/mib-nokeys"
  echo "| $c | $(col $k 4 | median) | $(col $n 4 | median) | $(spread "$work/mib-keys" 1) | $(spread "$work/mib-nokeys" 1) | **$(spread "$work/per-key" 1)** |" >> "$work/rows-memory"
  echo "bench: c=$c done"
done
load_end=$(LC_ALL=C uptime | sed -E 's/.*load average: //')

{
  echo "# Idempotency-Key: keys ÷ no keys"
  echo
  echo "Command: \`bench/idempotency.sh --runs $runs --seconds $seconds --connections $connections\`; load average (uptime) at start: $load_start, at end: $load_end$([[ $busy -eq 1 ]] && echo " (**busy machine: the numbers are disturbed**)"); $(nproc) cores; $(java -version 2>&1 | head -1)."
  echo
  echo "\`samples/counter\` with the agent, \`POST /counter/increment\`: **keys**, every request with its own \`Idempotency-Key\`"
  echo "(\`bench/wrk/idempotency-key.lua\`, \`-- key\`), whose response the agent keeps in the request's outcome record and in"
  echo "its key table; **no keys**, the same requests without the header (\`-- none\`). Both variants run the same JVM,"
  echo "every run a fresh one on a fresh data directory:"
  echo
  echo "    java ${jvm_opts[*]} -javaagent:$agent -Dreprise.dir=<fresh> ${reprise_opts[*]} -jar $counter"
  echo
  echo "\`-Xmx2g\` and the raised \`reprise.idempotency.max-keys\` (default 1000000) and \`max-memory\` (default 256MiB) keep"
  echo "every key of a run in the table; after each keyed run the first key sent was still answered from it"
  echo "(\`Idempotent-Replayed: true\`), so none was forgotten. Snapshots are off (\`snapshot.every\`, \`snapshot.interval\`):"
  echo "what the table adds to snapshots is not measured here. For each connection count the variants alternate"
  echo "$runs time(s), swapping places from one run to the next; each run is a 2 s warm-up (not measured, keys of its own)"
  echo "then ${seconds} s measured, wrk threads min(connections, 2). Figures are medians of the runs (min–max); ratios are"
  echo "keys ÷ no keys of the medians."
  echo
  echo "## Throughput and p99"
  echo
  echo "| connections | POST/s keys | POST/s no keys | keys ÷ no keys | p99 µs keys | p99 µs no keys | p99 keys ÷ no keys |"
  echo "|---|---|---|---|---|---|---|"
  cat "$work/rows-load"
  echo
  echo "## Journal bytes per entry"
  echo
  echo "\`du -B1\` of the journal's \`.cq4\` files ÷ the entries \`reprise-tools summary\` counts (warm-up and measurement;"
  echo "request and outcome record). The journal's files are allocated in large blocks, so fewer entries weigh more each."
  echo
  echo "| connections | bytes/entry keys | bytes/entry no keys | keys ÷ no keys | entries keys | entries no keys |"
  echo "|---|---|---|---|---|---|"
  cat "$work/rows-journal"
  echo
  echo "## Heap per key"
  echo
  echo "At the end of each run: \`jcmd <pid> GC.run\` twice, then the used figure of \`jcmd <pid> GC.heap_info\`. N is the"
  echo "counter's value (\`GET /counter\`): with keys, every increment carried a new key, so N keys are in the table. Heap"
  echo "per key = (used with keys − used without, of the same run) ÷ N of the keyed run, median of the runs; the"
  echo "largest N gives the figure least disturbed by the rest of the heap. \`max-memory\` counts a key as"
  echo "\`KeyTable.Entry.weight\` does, which is an estimate, not this measurement."
  echo
  echo "| connections | N (keys) | requests (no keys) | used heap MiB keys | used heap MiB no keys | heap bytes per key |"
  echo "|---|---|---|---|---|---|"
  cat "$work/rows-memory"
} > "$report"
cat "$report"
