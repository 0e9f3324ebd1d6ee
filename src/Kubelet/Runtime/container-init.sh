#!/bin/sh
# Builds a container's private view of the node's files, then execs the container command in it.
# Runs as PID 1 of fresh mount and PID namespaces made by unshare (and a user namespace when the
# kubelet is not root). Nothing here touches the node's filesystem: every mount lands in this
# mount namespace and every directory created lives on the container's own tmpfs.
#
# usage: container-init.sh STAGING MOUNTS_FILE HOSTNAME WORKDIR COMMAND [ARGS...]
#   STAGING      an empty directory owned by the kubelet; becomes the container's tmpfs root
#   MOUNTS_FILE  lines "SOURCE<TAB>TARGET<TAB>ro|rw" bound into the container after its root is built
#   HOSTNAME     the pod's hostname, set in the container's own UTS namespace
#   WORKDIR      working directory inside the container ("" keeps /)
set -eu
# PID 1 ignores signals it has no handler for, so without these a stop while the root is being built would be lost
# and the container would run its whole grace period. Traps run once the current command (a mount) is done.
trap 'exit 143' TERM
trap 'exit 129' HUP
staging=$1 mounts=$2 hostname=$3 workdir=$4
shift 4

echo "$hostname" > /proc/sys/kernel/hostname

mount -t tmpfs -o mode=0755 kubemesh-rootfs "$staging"
root=$staging/root layers=$staging/layers
mkdir -p "$root" "$layers"

# The container image is the node's own tree, seen through a copy-on-write layer per top-level
# directory: writes (mkdir of a mount point, /etc/hosts, files in /var) stay in this container.
# One overlay of "/" would be simpler but cannot be cloned inside a user namespace, because "/"
# has locked submounts there; each top-level directory without submounts can.
for entry in /* /.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=${entry#/}
    case "$name" in proc|sys|dev|tmp) continue ;; esac
    if [ -L "$entry" ]; then
        ln -s "$(readlink "$entry")" "$root/$name"
    elif [ -d "$entry" ]; then
        mkdir -p "$root/$name" "$layers/$name/upper" "$layers/$name/work"
        mount -t overlay kubemesh-layer \
            -o "lowerdir=$entry,upperdir=$layers/$name/upper,workdir=$layers/$name/work" "$root/$name" 2>/dev/null \
            || mount --rbind "$entry" "$root/$name"
    elif [ -f "$entry" ]; then
        touch "$root/$name"
        mount --bind "$entry" "$root/$name"
    fi
done

mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 kubemesh-tmp "$root/tmp"

tab=$(printf '\t')
while IFS=$tab read -r source target mode; do
    [ -n "$source" ] || continue
    if [ -d "$source" ]; then mkdir -p "$root$target"; else mkdir -p "$(dirname "$root$target")"; touch "$root$target"; fi
    mount --bind "$source" "$root$target"
    if [ "$mode" = ro ]; then mount -o remount,bind,ro "$root$target"; fi
done < "$mounts"

# PID 1 of the container is a small init inside the container's root: it forwards SIGTERM/SIGHUP to
# the command (a PID-1 command would otherwise ignore SIGTERM, as it has no handler) and exits with
# the command's status, 128+N when a signal N ended it. Exec probes join this process's namespaces
# and root. When it dies, the kernel kills everything else in the PID namespace.
# The traps are set before the command starts: a signal that comes first is kept and passed on as
# soon as there is a command to pass it to. The runtime signals only once the handler is in place.
exec chroot "$root" /bin/sh -c '
child= pending=
forward() { if [ -n "$child" ]; then kill -"$1" "$child" 2>/dev/null; else pending=$1; fi; }
trap "forward TERM" TERM
trap "forward HUP" HUP
cd "${1:-/}" || exit 127
shift
"$@" &
child=$!
[ -z "$pending" ] || kill -"$pending" "$child" 2>/dev/null
while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
done
exit "$status"' container-init "$workdir" "$@"
