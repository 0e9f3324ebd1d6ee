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
#
# Starting a process is what a container start costs on a loaded node (each one tens of milliseconds), so
# the root is built with a handful of them rather than several per directory: the mounts are written as an
# fstab and made by one `mount --all`, and directories, files and symlinks are made in one call each. Names
# an fstab line or a word list cannot carry as they are (spaces, commas, colons, globs) take the slower path
# of one command per step, which does the same.
set -eu
# PID 1 ignores signals it has no handler for, so without these a stop while the root is being built would be lost
# and the container would run its whole grace period. Traps run once the current command (a mount) is done.
trap 'exit 143' TERM
trap 'exit 129' HUP
staging=$1 mounts=$2 hostname=$3 workdir=$4
shift 4

echo "$hostname" > /proc/sys/kernel/hostname

mount -t tmpfs -o mode=0755 kubemesh-rootfs "$staging"
root=$staging/root layers=$staging/layers fstab=$staging/fstab
nl='
'
tab=$(printf '\t')

# plain PATH: whether PATH can go unquoted into an fstab line and a word list.
plain() {
    case "$1" in *[!A-Za-z0-9._/+@=~-]*) return 1 ;; esac
}

# mount_all FSTAB: makes every mount of FSTAB in one process; if any failed, checks each one. A directory whose
# overlay the kernel refuses (a user namespace, a lower filesystem overlayfs cannot use) is bound as it is,
# as the slow path does; any other mount that failed is made again alone, so its error is the one reported.
mount_all() {
    if mount --all --fstab "$1" 2>/dev/null; then
        return 0
    fi
    # Field 5 of /proc/self/mountinfo is the mount point, with spaces around it; plain paths need no unescaping.
    # Only the lines under the new root are kept: matching against the node's whole table is slow in sh.
    info=" $(grep -F -- " $root/" /proc/self/mountinfo || :) "
    while read -r source target type options _; do
        case "$info" in *" $target "*) continue ;; esac
        if [ "$type" = overlay ]; then
            lower=${options#lowerdir=}
            mount --rbind "${lower%%,*}" "$target"
        else
            mount -t "$type" -o "$options" "$source" "$target"
        fi
    done < "$1"
}

# layer ENTRY NAME: the slow path for one top-level entry of the node's tree.
layer() {
    if [ -L "$1" ]; then
        ln -s "$(readlink "$1")" "$root/$2"
    elif [ -d "$1" ]; then
        mkdir -p "$root/$2" "$layers/$2/upper" "$layers/$2/work"
        mount -t overlay kubemesh-layer \
            -o "lowerdir=$1,upperdir=$layers/$2/upper,workdir=$layers/$2/work" "$root/$2" 2>/dev/null \
            || mount --rbind "$1" "$root/$2"
    elif [ -f "$1" ]; then
        touch "$root/$2"
        mount --bind "$1" "$root/$2"
    fi
}

# The container image is the node's own tree, seen through a copy-on-write layer per top-level
# directory: writes (mkdir of a mount point, /etc/hosts, files in /var) stay in this container.
# One overlay of "/" would be simpler but cannot be cloned inside a user namespace, because "/"
# has locked submounts there; each top-level directory without submounts can.
fast=yes
plain "$staging" || fast=no
dirs="$root/proc $root/sys $root/dev $root/tmp" files= links= slow= table=
for entry in /* /.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=${entry#/}
    case "$name" in proc|sys|dev|tmp) continue ;; esac
    if [ "$fast" = no ] || ! plain "$name"; then
        slow="$slow$entry$nl"
    elif [ -L "$entry" ]; then
        links="$links $entry"
    elif [ -d "$entry" ]; then
        dirs="$dirs $root/$name $layers/$name/upper $layers/$name/work"
        table="${table}kubemesh-layer $root/$name overlay lowerdir=$entry,upperdir=$layers/$name/upper,workdir=$layers/$name/work 0 0$nl"
    elif [ -f "$entry" ]; then
        files="$files $root/$name"
        table="$table$entry $root/$name none bind 0 0$nl"
    fi
done

# Word lists hold plain paths only, so splitting them is exact; no globbing, as those names hold no patterns.
set -f
if [ "$fast" = yes ]; then
    mkdir -p $dirs
    [ -z "$links" ] || cp -P $links "$root/"
    [ -z "$files" ] || touch $files
else
    mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
fi
IFS=$nl
for entry in $slow; do
    layer "$entry" "${entry#/}"
done
unset IFS
set +f

if [ "$fast" = yes ]; then
    printf '%s' "${table}proc $root/proc proc defaults 0 0
/sys $root/sys none rbind 0 0
/dev $root/dev none rbind 0 0
kubemesh-tmp $root/tmp tmpfs mode=1777 0 0
" > "$fstab"
    mount_all "$fstab"
else
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 kubemesh-tmp "$root/tmp"
fi

# Volumes and the pod's hosts and resolv.conf, in the order given. A mount point inside another mount of the list
# can only be made once that one is mounted, so such a list, or one with a path that is not plain, takes the slow
# path as a whole, which keeps the order.
dirs= files= table= targets=
set -f
while IFS=$tab read -r source target mode; do
    [ -n "$source" ] || continue
    if ! plain "$source" || ! plain "$target"; then
        fast=no
    fi
    for earlier in $targets; do
        case "$target/" in "$earlier"/*) fast=no ;; esac
        case "$earlier/" in "$target"/*) fast=no ;; esac
    done
    targets="$targets $target"
    if [ -d "$source" ]; then dirs="$dirs $root$target"; else dirs="$dirs $root${target%/*}"; files="$files $root$target"; fi
    options=bind
    if [ "$mode" = ro ]; then options=bind,ro; fi
    table="$table$source $root$target none $options 0 0$nl"
done < "$mounts"

if [ "$fast" = yes ]; then
    [ -z "$dirs" ] || mkdir -p $dirs
    [ -z "$files" ] || touch $files
    if [ -n "$table" ]; then
        printf '%s' "$table" > "$fstab"
        mount_all "$fstab"
    fi
else
    while IFS=$tab read -r source target mode; do
        [ -n "$source" ] || continue
        if [ -d "$source" ]; then mkdir -p "$root$target"; else mkdir -p "$root${target%/*}"; touch "$root$target"; fi
        mount --bind "$source" "$root$target"
        if [ "$mode" = ro ]; then mount -o remount,bind,ro "$root$target"; fi
    done < "$mounts"
fi
set +f

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
