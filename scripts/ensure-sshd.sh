#!/bin/sh
# Makes sure OpenSSH's server binary is present: the ssh tests start a real `sshd` on
# 127.0.0.1 (test/harness/sshd.ts). On a fresh Debian machine it is usually missing.
# Only the package is installed: no service is enabled or started here (the tests start
# their own sshd with their own config and keys, and stop it).
set -eu

SSHD=/usr/sbin/sshd
if [ -x "$SSHD" ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-sshd: $SSHD is missing and apt-get is not available; install OpenSSH server manually" >&2
  exit 1
fi

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# flock: other project scripts may install Debian packages at the same time.
# A temporary policy-rc.d answering 101 keeps the package's postinst from starting a
# system-wide sshd on port 22 (the project only ever listens on 127.0.0.1).
flock /tmp/apt.lock $SUDO sh -c '
  set -e
  if [ -x /usr/sbin/sshd ]; then exit 0; fi
  created_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  status=0
  apt-get update -q || true
  { apt-get install -y -q --no-install-recommends openssh-server openssh-client; } || status=$?
  if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  exit $status
'

if [ ! -x "$SSHD" ]; then
  echo "ensure-sshd: installing openssh-server did not provide $SSHD" >&2
  exit 1
fi
