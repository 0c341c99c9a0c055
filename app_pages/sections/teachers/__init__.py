"""The For teachers page: opening a class, and the class's dashboard."""
