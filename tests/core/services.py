"""Services the app and lifecycle tests register: a database that keeps events, a session."""


class Database:
    def __init__(self, events: list[str]) -> None:
        self.events = events


class Session:
    pass
