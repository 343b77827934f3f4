import runpy
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

CONF = runpy.run_path(str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"))


def _access_log(path: str, capsys) -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", CONF["access_log_format"])
    logger = CONF["PortalLogger"](config)
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.73",
        "HTTP_USER_AGENT": "SentinelBrowser/9.7.3",
    }
    request = SimpleNamespace(
        headers=[], method="POST", path=path, query="", uri=path, version=(1, 1)
    )
    response = SimpleNamespace(status="204 No Content", sent=0, headers=[])
    capsys.readouterr()
    logger.access(response, request, environ, SimpleNamespace(seconds=0, microseconds=900))
    return capsys.readouterr().out


def test_the_access_log_names_no_client_and_skips_counts(capsys):
    page = _access_log("/assets/spring/", capsys)
    assert '"POST /assets/spring/ HTTP/1.1" 204' in page
    assert "198.51.100.73" not in page and "Sentinel" not in page
    assert _access_log("/count/", capsys) == ""
