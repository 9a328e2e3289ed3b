#!/usr/bin/env python3
"""A tiny GTK 3 window that offers files as an XDND drag source (text/uri-list), for the
end-to-end test of dropping files onto Folio's window. Usage: xdnd_source.py X Y FILE...
Prints "ready" when shown, "sent" after the drop target asked for the data."""
import sys
from urllib.parse import quote

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

x, y, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
uris = ["file://" + quote(f) for f in files]

win = Gtk.Window(title="folio-drag-source")
win.set_default_size(200, 160)
win.move(x, y)
box = Gtk.EventBox()
label = Gtk.Label(label="Drag me:\n" + "\n".join(f.rsplit("/", 1)[-1] for f in files))
box.add(label)
win.add(box)

box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
box.drag_source_add_uri_targets()


def on_get(_w, _ctx, data, _info, _time):
    data.set_uris(uris)
    print("sent", flush=True)


def on_end(_w, _ctx):
    print("end", flush=True)


box.connect("drag-data-get", on_get)
box.connect("drag-end", on_end)
win.connect("destroy", Gtk.main_quit)
win.show_all()


def ready():
    print("ready", flush=True)
    return False


Gtk.main_iteration_do(False)
from gi.repository import GLib  # noqa: E402

GLib.timeout_add(300, ready)
Gtk.main()
