#!/usr/bin/env bash
# Make the pgvector extension available to the local PostgreSQL 15 (Debian 12 / bookworm).
#
# Debian 12 ships no pgvector package for PostgreSQL 15, so this builds pgvector from Debian
# trixie's *source* package against postgresql-server-dev-15:
#   1. apt-get install postgresql-server-dev-15 build-essential dpkg-dev (only what is missing);
#   2. a private apt configuration holding only `deb-src <mirror> trixie main` (the mirror is the
#      one this machine's own apt sources already name), with private lists/cache directories,
#      so the system's apt sources, lists and caches are left untouched;
#   3. apt-get source --download-only pgvector; dpkg-source -x; make with_llvm=no; make install.
#
# Exits 0 at once when /usr/share/postgresql/15/extension/vector.control already exists.
# Must run as root. Takes about 30 s plus package downloads.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"
SRC_SUITE=trixie
DEFAULT_MIRROR="http://deb.debian.org/debian"

log() { printf '[install-pgvector] %s\n' "$*" >&2; }
die() { printf '[install-pgvector] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -f "$CONTROL" ]]; then
  log "pgvector already installed for PostgreSQL ${PG_MAJOR} ($CONTROL); nothing to do."
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (installs Debian packages and writes into /usr)."
command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian 12 (bookworm)."

export DEBIAN_FRONTEND=noninteractive
start=$SECONDS

# --- 1. build dependencies -------------------------------------------------------------------
missing=()
for pkg in "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "installing build dependencies: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ -x "$PG_CONFIG" ]] || die "$PG_CONFIG missing after installing postgresql-server-dev-${PG_MAJOR}."

# --- 2. find the Debian mirror this machine already uses -------------------------------------
# Prints "URI<TAB>suite" for every `deb` entry, from one-line *.list files and deb822 *.sources.
list_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    # deb [opt=val ...] URI suite [component...]
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && NF >= 3 { print $2 "\t" $3 }'
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk '
      function flush(   i, j, nu, ns, u, s) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*no/) {
          nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) if (u[i] != "" && s[j] != "") print u[i] "\t" s[j]
        }
        types = uris = suites = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
      tolower($1) == "uris:"    { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
      tolower($1) == "suites:"  { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
      tolower($1) == "enabled:" { sub(/^[^:]*:[ \t]*/, ""); enabled = tolower($0); next }
      END { flush() }
    ' "$f"
  done
}

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
# The main archive: the entry whose suite is exactly the release codename (not -security/-updates,
# not a third-party repository such as nodesource).
mirror=$(list_sources | awk -F'\t' -v c="$codename" '$2 == c { print $1; exit }')
if [[ -z "$mirror" ]]; then
  log "no '$codename' entry found in the apt sources; falling back to $DEFAULT_MIRROR"
  mirror=$DEFAULT_MIRROR
fi
mirror=${mirror%/}
log "using mirror $mirror ($SRC_SUITE main, source only)"

# --- 3. fetch and unpack trixie's pgvector source package ------------------------------------
work=$(mktemp -d /tmp/pgvector-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc/sources.list.d" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed_by=""
[[ -f "$keyring" ]] && signed_by="[signed-by=$keyring] "
printf 'deb-src %s%s %s main\n' "$signed_by" "$mirror" "$SRC_SUITE" > "$work/etc/sources.list"

apt_private=(
  -o "Dir::Etc::SourceList=$work/etc/sources.list"
  -o "Dir::Etc::SourceParts=$work/etc/sources.list.d"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=root"
)

log "apt-get update (private lists: $SRC_SUITE deb-src only)"
apt-get "${apt_private[@]}" update -qq || die "apt-get update of the private $SRC_SUITE deb-src list failed."

log "apt-get source --download-only pgvector"
(cd "$work/src" && apt-get "${apt_private[@]}" source --download-only pgvector) >"$work/fetch.log" 2>&1 \
  || { cat "$work/fetch.log" >&2; die "could not download the pgvector source package from $mirror $SRC_SUITE."; }
grep -E '^Get:' "$work/fetch.log" | sed 's/^/[install-pgvector]   /' >&2 || true

dsc=$(ls "$work"/src/pgvector_*.dsc 2>/dev/null | head -n1)
[[ -n "$dsc" ]] || die "no pgvector .dsc downloaded."
log "unpacking $(basename "$dsc")"
# apt already checked the files' hashes against trixie's signed Release file; dpkg-source's own
# check of the uploader's signature needs the Debian maintainers' keyring, which is not
# installed, and only warns — so its output is shown only if unpacking fails.
(cd "$work/src" && dpkg-source -x "$(basename "$dsc")" pgvector) >"$work/unpack.log" 2>&1 \
  || { cat "$work/unpack.log" >&2; die "dpkg-source -x failed."; }

# --- 4. build and install --------------------------------------------------------------------
log "building pgvector against $("$PG_CONFIG" --version)"
# OPTFLAGS='' : no -march=native, so the library does not depend on this CPU's features.
make -C "$work/src/pgvector" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" with_llvm=no OPTFLAGS="" >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; die "make failed."; }
make -C "$work/src/pgvector" PG_CONFIG="$PG_CONFIG" with_llvm=no OPTFLAGS="" install >>"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; die "make install failed."; }

[[ -f "$CONTROL" ]] || die "make install finished but $CONTROL is missing."
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$CONTROL")
log "pgvector ${version:-?} installed for PostgreSQL ${PG_MAJOR} in $((SECONDS - start)) s; use: CREATE EXTENSION vector;"
