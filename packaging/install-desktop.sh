#!/usr/bin/env bash
# Installs a desktop launcher for this checkout's Partita (after `make setup`) for the
# current user: menu entry, icon, and the .partita file type (and it opens MIDI files and
# MusicXML scores: the default for MIDI where none was chosen). Undo with --uninstall.
set -euo pipefail
usage="usage: packaging/install-desktop.sh [--uninstall | --help]"
case "$#:${1:-}" in
  0:|1:--uninstall) ;;
  1:-h|1:--help) echo "$usage"; echo "Installs (or with --uninstall removes) this checkout's \
Partita menu entry, icon and file types for the current user."; exit 0 ;;
  *) echo "install-desktop: unknown arguments: $*" >&2; echo "$usage" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mime="${XDG_DATA_HOME:-$HOME/.local/share}/mime/packages"
refresh() {  # the file-type and launcher caches, so removed entries go too
  command -v update-mime-database >/dev/null && update-mime-database "${mime%/packages}" || true
  command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
}
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/partita.desktop" "$icons/partita.svg" "$mime/partita-mime.xml"
  refresh
  echo "Partita launcher removed."
  exit 0
fi
exe="$here/.venv/bin/partita"
[ -x "$exe" ] || { echo "install-desktop: $exe not found: run 'make setup' first" >&2; exit 1; }
# GLib checks Exec's field codes before it unescapes the quoted path, so a "%%" for a
# literal % makes it reject the whole launcher (desktop-file-validate passes it). Refused
# rather than worked around with a wrapper script elsewhere: one more installed file that
# outlives the checkout, for a path a rename fixes.
case "$exe" in
  *%*) echo "install-desktop: the checkout's path has a '%' in it ($here), which desktop" \
            "launchers cannot run from: move or rename the folder and run this again" >&2
       exit 1 ;;
esac
mkdir -p "$apps" "$icons" "$mime"
cp "$here/studio/icons/partita.svg" "$icons/partita.svg"
cp "$here/packaging/partita-mime.xml" "$mime/partita-mime.xml"
# Exec quoting (Desktop Entry spec): the path in double quotes with \ " ` $ escaped, then
# backslashes doubled for the string value, so a path with spaces works (a % is refused
# above).
q=${exe//\\/\\\\}; q=${q//\"/\\\"}; q=${q//\`/\\\`}; q=${q//\$/\\\$}
q=${q//\\/\\\\}
exec_line="\"$q\" studio %f"
while IFS= read -r line; do
  case "$line" in
    Exec=*) printf 'Exec=%s\n' "$exec_line" ;;
    Icon=*) printf 'Icon=partita\n' ;;
    *) printf '%s\n' "$line" ;;
  esac
done < "$here/packaging/partita.desktop.in" > "$apps/partita.desktop"
refresh
echo "Partita launcher installed: $apps/partita.desktop"
