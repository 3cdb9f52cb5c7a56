#!/bin/sh
# PID 1 of every demo container: runs the service and plays the failure modes that
# `npm run demo:break` switches on with files in /run/demo (a tmpfs: a restart clears them).
#   /run/demo/errors     log $DEMO_ERROR to stderr every second
#   /run/demo/memory     hold $DEMO_HOG_MB MiB of memory in a child process group
#   /run/demo/unhealthy  read by the web stand-in (health endpoints answer 500)
"$@" &
child=$!
hog=""
stop_hog() { [ -n "$hog" ] && kill -KILL -- "-$hog" 2>/dev/null; hog=""; }
trap 'stop_hog; kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while kill -0 "$child" 2>/dev/null; do
  if [ -f /run/demo/errors ]; then
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${DEMO_ERROR:-ERROR internal error}" >&2
  fi
  if [ -f /run/demo/memory ] && [ -z "$hog" ]; then
    setsid sh -c "dd if=/dev/zero bs=${DEMO_HOG_MB:-400}M count=1 2>/dev/null | sleep 2147483647" &
    hog=$!
    echo "$hog" > /run/demo/hog.pid
  elif [ ! -f /run/demo/memory ] && [ -n "$hog" ]; then
    stop_hog
    rm -f /run/demo/hog.pid
  fi
  sleep 1 &
  wait $!
done
wait "$child"
