#!/bin/bash
# The image's HEALTHCHECK: exits 0 when the node's GET /readyz answers 200 (AOF loaded, cluster joined or founded;
# docs/operations.md "Health and readiness"). bash's /dev/tcp, because the runtime image has no curl or wget.
# /readyz needs no credentials, so this works with requirepass set; not with --tls-admin (the admin port speaks HTTPS).
set -u
port="${PEPPER_ADMIN_PORT:-18088}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
    "HTTP/1."?" 200 "*) exit 0 ;;
    *) echo "readyz: ${status%$'\r'}" >&2; exit 1 ;;
esac
