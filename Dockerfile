# cadence-py server image. The compose files build it; no registry image is published.
FROM python:3.11-slim
WORKDIR /opt/cadence-py
COPY setup.cfg pyproject.toml README.md ./
COPY cadence_py ./cadence_py
COPY idl ./idl
COPY schema ./schema
COPY config ./config
RUN pip install --no-cache-dir -e .
EXPOSE 7933
# Bind on all interfaces inside the container; compose publishes the port.
CMD ["cadence-py", "server", "start", "--bind", "0.0.0.0"]
