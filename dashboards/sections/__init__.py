"""One module per dashboard section, each exposing `render(snapshot, filters)`."""
