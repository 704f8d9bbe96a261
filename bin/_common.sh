# Shared by the bin/ commands: find or install uv, then install the locked dependencies.
# Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
export PATH="$HOME/.local/bin:$PATH"

say() { printf '%s\n' "$*" >&2; }

ensure_uv() {
    command -v uv >/dev/null 2>&1 && return 0
    say "Installing uv (the Python package installer)..."
    python3 -m pip install --quiet uv 2>/dev/null \
        || python3 -m pip install --quiet --user --break-system-packages uv
}

# install_python_deps [uv sync options...]
install_python_deps() {
    ensure_uv
    uv sync --frozen --quiet "$@"
}

# Debian packages the portal needs on the machine itself (gettext compiles translations).
ensure_debian_packages() {
    local missing=()
    for spec in "$@"; do
        local command="${spec%%:*}" package="${spec##*:}"
        command -v "$command" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "Could not install ${missing[*]}: run as root on Debian/Ubuntu, or install them yourself."
        return 1
    fi
    say "Installing ${missing[*]} from Debian's packages..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

compile_translations() {
    uv run --frozen python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0
}
