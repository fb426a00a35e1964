"""An S3 server for tests: moto's, over real HTTP on a free loopback port."""

from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager

import boto3

S3_ACCESS_KEY_ID = "AKIATESTLINLI0000000"
S3_SECRET_ACCESS_KEY = "test-secret-access-key-never-logged"
REGION = "ap-guangzhou"


@contextmanager
def s3_server():
    """moto's S3 server in a thread for the block; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    # It logs every request (werkzeug) even with verbose=False.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_env(endpoint: str, bucket: str, **extra) -> dict:
    """The settings of an app storing its photos in `bucket` of the test server."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_ACCESS_KEY,
        "S3_ADDRESSING_STYLE": "path",
        "S3_CONNECT_TIMEOUT": "2",
        "S3_READ_TIMEOUT": "5",
        **extra,
    }


def new_bucket(endpoint: str) -> str:
    """A fresh bucket on the test server; its name."""
    name = f"linli-{uuid.uuid4().hex[:12]}"
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=S3_ACCESS_KEY_ID,
        aws_secret_access_key=S3_SECRET_ACCESS_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name
