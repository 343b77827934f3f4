# The portal's image: one image for web, worker and beat (deploy/compose.yaml runs it).
# Not built in CI here: this machine has no container engine (deploy/README.md).
#
#   docker build -t brand-portal .

# --- build: a virtualenv with the runtime requirements, and the static files -------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt .
# Only the runtime part of requirements.txt (the test tools below its second heading stay
# out). Every pinned package ships a wheel for this platform, so no compiler is needed here
# either; libcairo2 is for collectstatic's import of the SVG code.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 gettext \
    && rm -rf /var/lib/apt/lists/* \
    && sed '/^# Tests and tooling/,$d' requirements.txt > requirements-runtime.txt \
    && python -m venv /venv \
    && /venv/bin/pip install --only-binary=:all: -r requirements-runtime.txt
COPY . .
# Collected with DEBUG off (hashed names, compressed copies) and placeholder values that
# only satisfy the start-up checks: no secret is in the image or its build.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    EMAIL_URL=smtp://build.invalid:25 \
    /venv/bin/python manage.py collectstatic --noinput -v 0 \
    && /venv/bin/python manage.py compilemessages -v 0

# --- final: the runtime libraries, the virtualenv and the code, as an unprivileged user ---
FROM python:3.11-slim-bookworm
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DEBUG=false GUNICORN_BIND=0.0.0.0:8000 MEDIA_ROOT=/app/var/media
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin portal
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
# Only media (when not on S3) is written at run time; everything else stays read-only.
RUN mkdir -p /app/var/media && chown portal /app/var/media
USER portal
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"]
