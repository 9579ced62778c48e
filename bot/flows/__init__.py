"""The chat flows (campaign authoring, announcements); `registry.all_flows` lists them."""
