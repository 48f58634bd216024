# Tranche service image: slim, non-root; runs the migrations, then serves with uvicorn.
#   docker build -t tranche .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql+psycopg://user:pass@db:5432/tranche tranche
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango is what WeasyPrint needs to lay out the PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 tranche
WORKDIR /srv/tranche

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY contracts ./contracts
# Editable, so `tranche db upgrade` finds alembic.ini and migrations/ beside the code.
RUN pip install -e . && chown -R tranche:tranche /srv/tranche

USER tranche
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "tranche db upgrade && exec tranche serve --host 0.0.0.0 --port 8000 --no-upgrade"]
