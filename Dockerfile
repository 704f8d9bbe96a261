# The portal's image: one image, three processes (bin/web, bin/worker, bin/beat).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv \
    && useradd --create-home --uid 1000 minex

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .

# Translations and hashed static files are built into the image; neither needs a secret.
RUN DJANGO_SETTINGS_MODULE=minex.settings.build python manage.py compilemessages --ignore=.venv -v0 \
    && DJANGO_SETTINGS_MODULE=minex.settings.build python manage.py collectstatic --noinput -v0

# MEDIA_ROOT in docker-compose.yml: a named volume mounted here starts with this directory's
# owner, so the non-root user can write export files to it.
RUN mkdir -p /app/media && chown minex:minex /app/media

USER minex
EXPOSE 8000
CMD ["bin/web"]
