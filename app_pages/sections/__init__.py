"""One package per page with tabs (or long pages): a module per section. A section reads widgets through
PageState, calls one cached function in ui.compute, and draws with ui.charts builders and ui.text sentences."""
