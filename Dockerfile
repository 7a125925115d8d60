# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint's system libraries (Pango, HarfBuzz), a Japanese font for receipts, Noto for the printed status
# links in Nepali, Dari and Ukrainian, fontconfig's fc-match (the campaign's preview card finds its fonts with it),
# gettext for translators.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo \
        fonts-ipaexfont-gothic fonts-ipaexfont-mincho fonts-noto-core fontconfig gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Build-time only values: compile translations and collect static files.
RUN DEBUG=True python manage.py compile_translations \
    && DEBUG=True STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
       python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 jii && mkdir -p /app/media && chown jii /app/media
USER jii

EXPOSE 8000
# The access log goes through the redaction of jii/gunicorn.py: links carry tokens.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", \
     "--access-logfile", "-", "--logger-class", "jii.gunicorn.Logger"]
