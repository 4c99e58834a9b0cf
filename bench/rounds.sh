# Sourced by the bench/run-*.sh scripts that alternate vrfm4j's run and the peer's: sets `rounds` from ROUNDS
# (default 1), or stops the script with one line when ROUNDS is not a whole number of rounds, 1 or more.
rounds="${ROUNDS:-1}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS=$rounds: give a whole number of rounds, 1 or more" >&2; exit 2; }
