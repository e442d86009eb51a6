# shellcheck shell=bash
# The Python that runs tools/validate-event-schemas: one that can import jsonschema. Source it after pg.sh
# (it uses say, die and apt_install), then call ensure_jsonschema; it exports PROMO_PYTHON (an absolute path),
# which the validator and the Swift tests that run it use.

# Prints the first interpreter that imports jsonschema: $PROMO_PYTHON, python3 on PATH, then the system's.
python_with_jsonschema() {
    local candidate path
    for candidate in "${PROMO_PYTHON:-}" python3 /usr/bin/python3; do
        [ -n "$candidate" ] || continue
        path=$(command -v "$candidate" 2>/dev/null) || continue
        if "$path" -c 'import jsonschema' >/dev/null 2>&1; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

# Finds such an interpreter, or installs jsonschema: with pip first; where pip cannot (a Debian Python is
# "externally managed", PEP 668, or has no pip), the distribution's python3-jsonschema for /usr/bin/python3.
ensure_jsonschema() {
    local python pip_output="" reason
    if ! python=$(python_with_jsonschema); then
        say "installing the Python jsonschema validator (event schema checks)"
        if command -v python3 >/dev/null 2>&1 \
            && pip_output=$(python3 -m pip install --quiet jsonschema 2>&1) \
            && python=$(python_with_jsonschema); then
            :
        else
            reason=$(printf '%s\n' "$pip_output" | grep -m1 -i -E 'error|no module' || true)
            say "pip cannot install it${reason:+ ($reason)}; falling back to the distribution's python3-jsonschema"
            apt_install python3-jsonschema
            python=$(python_with_jsonschema) || die "python3-jsonschema is installed but no python3 imports jsonschema"
        fi
    fi
    export PROMO_PYTHON="$python"
    say "event schema checks run with $PROMO_PYTHON"
}
