"""The pure calculation core.

Imports only the standard library, pandas and pydantic: never ``app.*`` outside
``app.engine``, never FastAPI or SQLAlchemy. Everything that computes money calls in here.
"""
