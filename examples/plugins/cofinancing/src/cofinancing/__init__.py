"""An example conciliazione-core plugin: what a plugin adds without a core change."""
