"""Photos in an S3-compatible object store (Tencent COS, Alibaba OSS, MinIO, AWS S3):
every app host reaches the same bucket.

The access keys go to boto3 and nowhere else: not into a message, a repr or a log.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from server.errors import ServiceUnavailable
from server.storage.keys import check_key

log = logging.getLogger(__name__)

# What S3 and its look-alikes answer for a key that is not there.
MISSING = {"NoSuchKey", "404", "NotFound"}


class StorageUnavailable(ServiceUnavailable):
    code, message = "storage_unavailable", "照片存储暂时无法访问，请稍后再试"


def s3_client(config: Mapping[str, Any]):
    """A boto3 S3 client from the S3_* settings (server/config.py checked them).

    Timeouts and standard retries are set so a store away answers 503 within seconds;
    checksums only where the API requires them, as COS, OSS and older MinIO refuse the
    CRC32 headers boto3 adds by default since 1.36. boto3 is imported here, on first
    use: a process that stores no photo in S3 does not pay for it at start-up.
    """
    import boto3
    from botocore.config import Config

    settings = Config(
        connect_timeout=config["S3_CONNECT_TIMEOUT"],
        read_timeout=config["S3_READ_TIMEOUT"],
        retries={"max_attempts": config["S3_MAX_ATTEMPTS"], "mode": "standard"},
        s3={"addressing_style": config["S3_ADDRESSING_STYLE"]},
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # Neither key set: boto3's own chain (AWS_ACCESS_KEY_ID..., a role of the host).
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config["S3_ENDPOINT_URL"] or None,
        region_name=config["S3_REGION"],
        aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
        config=settings,
    )


class S3Storage:
    """Bytes by key in one bucket, under an optional prefix (`linli/`)."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Storage:
        return cls(s3_client(config), config["S3_BUCKET"], config["S3_PREFIX"])

    def __repr__(self) -> str:
        return f"<S3Storage {self.bucket}/{self.prefix}>"

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with self._call("put", key) as name:
            self.client.put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentType=content_type
            )

    def get(self, key: str) -> bytes:
        with self._call("get", key) as name:
            return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def delete(self, key: str) -> None:
        with self._call("delete", key) as name:
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key stored under `prefix` (within our own prefix), in order."""
        from botocore.exceptions import BotoCoreError, ClientError  # loaded with the client

        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except (ClientError, BotoCoreError) as error:
            reason = type(error).__name__
            if isinstance(error, ClientError):
                reason = str(error.response.get("Error", {}).get("Code", "")) or reason
            self._failed("list", self.prefix + prefix, reason)

    @contextlib.contextmanager
    def _call(self, operation: str, key: str) -> Iterator[str]:
        """The object's name for `key`. A missing key becomes KeyError; any other
        failure of the store (away, timed out, refusing our keys, no such bucket) a
        logged 503 that names no secret."""
        from botocore.exceptions import BotoCoreError, ClientError  # loaded with the client

        name = self.prefix + check_key(key)
        try:
            yield name
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in MISSING:
                raise KeyError(key) from None
            self._failed(operation, name, code or "ClientError")
        except BotoCoreError as error:
            self._failed(operation, name, type(error).__name__)

    def _failed(self, operation: str, name: str, reason: str) -> None:
        log.error("photo store: %s %s/%s failed (%s)", operation, self.bucket, name, reason)
        raise StorageUnavailable() from None
