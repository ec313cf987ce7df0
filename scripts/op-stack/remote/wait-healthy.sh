# shellcheck shell=bash
# Waits until a service answers its health URL on the host's loopback (op-node, op-batcher and the other
# chainguard/static images have no shell, so Docker cannot probe them from inside).
# Needs: SERVICE URL EXPECT_STATUS ATTEMPTS INTERVAL_SECONDS TIMEOUT_SECONDS
status=none
for _ in $(seq 1 "$ATTEMPTS"); do
  status=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$URL" || true)
  if [ "$status" = "$EXPECT_STATUS" ]; then
    echo "$SERVICE healthy"
    exit 0
  fi
  sleep "$INTERVAL_SECONDS"
done
echo "$SERVICE did not answer $URL with HTTP $EXPECT_STATUS after $ATTEMPTS tries (last: $status). Run \`docker logs $SERVICE\` on the host." >&2
exit 1
