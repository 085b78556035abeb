#!/bin/sh
# The PepperCache image's entrypoint: runs the node with the container's arguments ("$@", flags such as --node) and
# PEPPER_* variables (every flag has one: PEPPER_NODE, PEPPER_CLUSTER, PEPPER_DIR...).
#
# One rule it adds: a node never joins through itself. Every member of a compose file or a StatefulSet can then be
# given the same PEPPER_CLUSTER (the first member's address, peppercache-0.peppercache in Kubernetes), and the first
# member, whose own PEPPER_NODE that is, founds the cluster instead of waiting on itself. Asked to join through
# itself a node would wait for a cluster that never comes (no slots: CLUSTERDOWN).
#
# exec keeps the node as PID 1, so `docker stop` and Kubernetes' SIGTERM reach it and it leaves the cluster
# gracefully (hands its slots over) before it exits. PEPPERCACHE_HOME points at another build (the tests use it).
set -eu

if [ -n "${PEPPER_CLUSTER:-}" ] && [ -n "${PEPPER_NODE:-}" ]; then
    seed="${PEPPER_CLUSTER%:*}"   # host:admin-port -> host
    if [ "$seed" = "$PEPPER_NODE" ]; then
        unset PEPPER_CLUSTER
    fi
fi

home="${PEPPERCACHE_HOME:-/app}"
# The image's node is self-contained (it carries its runtime, libcoreclr.so) and starts through its own executable;
# a framework-dependent build, as the tests point PEPPERCACHE_HOME at, through the dotnet host.
if [ -f "$home/libcoreclr.so" ]; then
    exec "$home/PepperCache.Server" "$@"
fi
exec dotnet "$home/PepperCache.Server.dll" "$@"
