"""Logs in to the web console on 127.0.0.1:PORT and prints the home page.

usage: console-client.py PORT NAME   (the password on standard input)

Run inside the container by test_installed.py: the login form's CSRF
token is the mw_login cookie, sent back as the form's csrf field.
"""
import http.client
import sys
import urllib.parse


def cookie(resp, name):
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit(f"no {name} cookie: {resp.status} {resp.getheaders()}")


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    password = sys.stdin.readline().rstrip("\n")
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/login")
    r = c.getresponse()
    r.read()
    token = cookie(r, "mw_login")
    body = urllib.parse.urlencode({"csrf": token, "name": name,
                                   "password": password})
    c.request("POST", "/login", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"mw_login={token}"})
    r = c.getresponse()
    r.read()
    if r.status != 303:
        raise SystemExit(f"login answered {r.status}")
    session = cookie(r, "mw_session")
    c.request("GET", "/", headers={"Cookie": f"mw_session={session}"})
    r = c.getresponse()
    page = r.read().decode("utf-8")
    if r.status != 200:
        raise SystemExit(f"home page answered {r.status}")
    sys.stdout.write(page)


if __name__ == "__main__":
    main()
