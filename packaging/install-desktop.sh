#!/usr/bin/env bash
# Installs a desktop launcher for this checkout's Partita (after `make setup`) for the
# current user: menu entry, icon, and the .partita file type. Undo with --uninstall.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mime="${XDG_DATA_HOME:-$HOME/.local/share}/mime/packages"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/partita.desktop" "$icons/partita.svg" "$mime/partita-mime.xml"
  echo "Partita launcher removed."
  exit 0
fi
exe="$here/.venv/bin/partita"
[ -x "$exe" ] || { echo "install-desktop: $exe not found: run 'make setup' first" >&2; exit 1; }
mkdir -p "$apps" "$icons" "$mime"
cp "$here/studio/icons/partita.svg" "$icons/partita.svg"
cp "$here/packaging/partita-mime.xml" "$mime/partita-mime.xml"
sed -e "s|@PARTITA@|$exe|" -e "s|@ICON@|partita|" "$here/packaging/partita.desktop.in" \
  > "$apps/partita.desktop"
command -v update-mime-database >/dev/null && update-mime-database "${mime%/packages}" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Partita launcher installed: $apps/partita.desktop"
