"""The Model Manager's listing: what its status line and Status column say."""

from __future__ import annotations

from engine.plugins import Registry
from studio.dialogs.model_manager import ModelManager
from studio.models import ModelCatalog
from studio.settings import Settings
from tests.studio.cocompose_helpers import EchoModel


def test_the_status_line_clears_and_a_disabled_row_says_why_before_where(qtbot, tmp_path):
    # "Looking for models…" stayed under the full list, and a disabled row's Status began
    # with the plugin's absolute path (Source shows it): the cell cut off before the reason.
    user = tmp_path / "home" / ".local" / "share" / "partita" / "models"
    (user / "broken").mkdir(parents=True)
    (user / "broken" / "partita-plugin.json").write_text("{nope")
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=user)
    registry.add(EchoModel())
    catalog = ModelCatalog(registry, Settings(tmp_path / "settings.ini"))
    dlg = ModelManager(catalog)
    qtbot.addWidget(dlg)
    assert dlg.status.text() == "Looking for models…"
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    assert dlg.names() == ["broken", "echo"]
    assert dlg.status.text() == ""
    row = dlg.table.topLevelItem(0)
    assert row.text(4) == f"user folder {user / 'broken'}"
    assert row.text(5).startswith("disabled: partita-plugin.json: not valid JSON")
    assert str(user) not in row.text(5)
    assert str(user / "broken" / "partita-plugin.json") in row.toolTip(5)  # the full text
    assert dlg.table.topLevelItem(1).text(5) == "ok"
    dlg.install(tmp_path / "no-such-pack")  # a message of its own is not cleared by a refill
    catalog.update()
    assert "Cannot install no-such-pack" in dlg.status.text()


def test_an_older_studio_default_moves_to_the_shared_file_once(tmp_path, qtbot):
    """The studio kept its default in its own settings too, so `partita models default
    --clear` was undone by that copy at the next start."""
    from engine.plugins import Registry
    from studio.models import ModelCatalog
    from studio.settings import Settings

    settings = Settings(tmp_path / "s.ini")
    settings._s.setValue("models/default", "tiny")  # as an older studio wrote it
    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path / "models")
    catalog = ModelCatalog(registry, settings)
    assert registry.saved_default() == "tiny" and registry.preferred == "tiny"
    assert settings.take_default_model() is None  # moved, not copied
    registry.save_default(None)  # partita models default --clear
    again = ModelCatalog(Registry(entry_points=False, plugin_dirs=[],
                                  user_dir=tmp_path / "models"), settings)
    assert again.registry.preferred is None and catalog is not again


def test_only_the_usable_model_of_a_name_is_starred_and_can_be_made_default(tmp_path, qtbot):
    """QA: a folder plugin named like the default model, rightly disabled as a duplicate,
    was starred as the default too (rows were marked by name)."""
    from tests.engine.plugins.plugin_folders import write_code_plugin

    write_code_plugin(tmp_path / "plugins", "look")
    write_code_plugin(tmp_path / "models", "look")  # the look-alike: a duplicate name
    registry = Registry(entry_points=False, plugin_dirs=[tmp_path / "plugins"],
                        user_dir=tmp_path / "models")
    registry.save_default("look")
    catalog = ModelCatalog(registry, Settings(tmp_path / "settings.ini"))
    dlg = ModelManager(catalog)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    rows = [dlg.table.topLevelItem(i) for i in range(2)]
    assert [(r.text(0), r.text(1), r.text(5)[:8]) for r in rows] == [
        ("★", "look", "ok"), ("", "look", "disabled")]
    dlg.table.setCurrentItem(rows[1])
    assert not dlg.default_button.isEnabled()  # the disabled one's buttons, not the other's
    assert dlg.remove_button.isEnabled()  # it is in the user's folder: removable
    dlg.table.setCurrentItem(rows[0])
    assert dlg.default_button.isEnabled() and not dlg.remove_button.isEnabled()


def test_refresh_runs_a_folder_plugins_new_code_and_says_a_package_needs_a_restart(
        tmp_path, qtbot):
    """QA: Refresh kept running the old code of a plugin folder the author had edited."""
    from dataclasses import replace

    from tests.engine.plugins.test_reload import bump_manifest, write_plugin

    module = write_plugin(tmp_path / "plugins", "1.0")
    registry = Registry(entry_points=False, plugin_dirs=[tmp_path / "plugins"],
                        user_dir=tmp_path / "models")
    catalog = ModelCatalog(registry, Settings(tmp_path / "settings.ini"))
    dlg = ModelManager(catalog)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    assert dlg.table.topLevelItem(0).text(2) == "1.0"
    (tmp_path / "plugins" / "tune" / module / "settings.py").write_text(
        'VERSION = "2.0.0"\n')
    bump_manifest(tmp_path / "plugins", "2.0.0")
    dlg.refresh_button.click()
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    assert dlg.table.topLevelItem(0).text(2) == "2.0.0"
    assert catalog.usable("tune").info.version == "2.0.0"
    assert dlg.status.text().startswith("Models listed again: a plugin folder whose files "
                                        "changed runs its new code.")
    assert "restart" not in dlg.status.text()  # no package is listed

    # With a package listed, the manager says what Refresh cannot do for it.
    entry = catalog.usable("tune")
    registry._added.append(replace(entry, name="pip-one", origin="package",
                                   source="package pip-one 1.0", location="pip-one"))
    dlg.refresh_button.click()
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    assert "An installed package (pip) keeps the code the studio started with: restart " \
           "the studio" in dlg.status.text()


def test_enter_on_the_model_list_opens_no_file_picker(qtbot, tmp_path, dialogs):
    """Keyboard QA: Install Pack… was the default button, so Enter on the focused list
    opened its "Install a model pack" folder picker. Enter on a button still presses it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    registry = Registry(entry_points=False, plugin_dirs=[], user_dir=tmp_path / "models")
    registry.add(EchoModel())
    catalog = ModelCatalog(registry, Settings(tmp_path / "settings.ini"))
    dlg = ModelManager(catalog)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: catalog.loaded, timeout=20000)
    assert dlg.table.accessibleName() == "Models"
    dlg.table.setFocus()
    dlg.table.setCurrentItem(dlg.table.topLevelItem(0))
    QTest.keyClick(dlg.table, Qt.Key.Key_Return)
    assert "get_pack_dir" not in dialogs.names() and dlg.isVisible()
    assert not any(b.isDefault() for b in (dlg.install_button, dlg.default_button))
    dlg.install_button.setFocus()
    QTest.keyClick(dlg.install_button, Qt.Key.Key_Return)
    assert dialogs.names().count("get_pack_dir") == 1
