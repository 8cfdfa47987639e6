"""Execute a notebook through a Jupyter kernel, one cell at a time, reporting as it goes.

The course's lesson runner (tools/run-lesson.ts) starts this script with the Python that has
Jupyter and reads its standard output: one JSON object per line, {"event": ..., ...}.
It exists because `jupyter nbconvert --execute` is not enough for tslab: tslab reports errors only
on stderr (nbconvert then prints an empty CellExecutionError and writes nothing), and it aborts
requests that follow an error, which nbconvert does not treat as a failure. Here the first failing
or hanging cell stops the run, its stderr becomes the message, and the executed notebook is always
written, so the student can open it and see where it stopped.

With --keep-going (the homework grader) a failing cell is reported and the run goes on, as a student
pressing "Run all" past an error would expect; a hanging cell or a dead kernel still stops it, and
the grader decides what to run next. Any reply other than "ok" is a failure: a kernel that answers
"abort" has not run the cell, whatever nbclient makes of it. With "-" as the output path the
executed notebook is sent as a last event instead of written (the grader's sandbox keeps no files).

A kernel that dies before answering its first request is replaced by a fresh one (KERNEL_STARTS
tries): no cell has run, so nothing is lost, and the usual cause is the machine, not the notebook.

The kernel runs in a session of its own, so it outlives this process unless this process ends it: on
SIGTERM, SIGHUP or SIGINT, and when the process that started this one dies (Linux's parent-death
signal), the kernel is killed before this process exits.
"""
import argparse
import asyncio
import atexit
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import time

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# tslab answers "abort" to every request in the 200 ms after an error; wait that out before going on.
AFTER_ERROR_SECONDS = 0.5

# Starting a kernel can fail for reasons that have nothing to do with the notebook: Jupyter picks free
# ports, closes them and hands them to the kernel, and another process may take one in between (a
# known race when several kernels start at once, as in a grading run). A fresh start gets fresh ports.
KERNEL_STARTS = 3

REPORTED = {"stream", "display_data", "update_display_data", "execute_result", "error"}

# The running kernel's process id (its process group's too: Jupyter starts it in a new session).
kernel_pid = None


def child_pids():
    """This process's children, from /proc (Linux): a kernel still starting has no known pid yet."""
    children = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return children
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                children.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return children


def kill_kernel_and_exit(signum, _frame):
    for pid in {kernel_pid, *child_pids()} - {None}:
        for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except OSError:
                pass
    os._exit(128 + signum)


def stop_with_parent():
    """Ends this process (and so, through the handler, its kernel) on the signals a command is stopped
    with, and when its parent dies without a word (killed with SIGKILL)."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, kill_kernel_and_exit)
    try:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the signals above still work
    if os.getppid() == 1:  # the parent died before the request above took effect
        kill_kernel_and_exit(signal.SIGTERM, None)


def emit(event, **fields):
    """Writes one event as one line. A figure's event can be megabytes: if the pipe is (or has been
    made) non-blocking, a plain write can stop part-way and the rest of the line would be lost, so the
    bytes are written in a loop that waits for room in the pipe."""
    sys.stdout.flush()  # anything a library printed goes first, not into the middle of our line
    data = memoryview((json.dumps({"event": event, **fields}) + "\n").encode())
    fd = sys.stdout.fileno()
    while data:
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:
            select.select([], [fd], [])


class CellNotRun(Exception):
    """The kernel replied with a status that is neither "ok" nor "error" (tslab's "abort")."""


class ReportingClient(NotebookClient):
    """An nbclient that also forwards every output message to the runner as it arrives."""

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] in REPORTED:
            emit("output", cell=cell_index, type=msg["msg_type"], content=msg["content"])
        return super().process_message(msg, cell, cell_index)

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        status = (exec_reply or {}).get("content", {}).get("status")
        if exec_reply is not None and status not in ("ok", "error"):
            raise CellNotRun(f"the kernel answered {status!r} instead of running the cell")
        return await super()._check_raise_for_error(cell, cell_index, exec_reply)


def cell_stderr(cell):
    """tslab puts compile errors and exceptions on stderr, not in an error output."""
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            texts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            texts.append("\n".join(out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]))
    return "".join(texts).strip()


def peak_rss_mib(pid):
    """The kernel process's peak resident memory (Linux's VmHWM) in MiB; None where /proc has none."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, TypeError):
        pass
    return None


class KernelStartFailed(Exception):
    """The kernel did not come up; no cell has run yet, so starting again is safe."""


async def execute(nb, client, timeout, keep_going):
    global kernel_pid
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = False
    try:
        # The kernel's own stdout must not share this process's: it would write into the event stream,
        # and Node switches an inherited pipe to non-blocking mode for every process that shares it.
        async with client.async_setup_kernel(stdout=subprocess.DEVNULL):
            started = True
            provisioner = getattr(client.km, "provisioner", None)
            kernel_pid = getattr(provisioner, "pid", None)
            emit("kernel_ready", code_cells=len(code_cells), kernel_pid=kernel_pid)
            try:
                return await execute_cells(nb, client, code_cells, timeout, keep_going)
            finally:
                emit("kernel_memory", peak_rss_mib=peak_rss_mib(kernel_pid))  # before the kernel shuts down
    except NoSuchKernel:
        raise
    except Exception as error:
        if started:
            raise
        # nbclient has already shut the failed kernel down; its exit hook would try again and complain.
        atexit.unregister(client._cleanup_kernel)
        raise KernelStartFailed(f"{type(error).__name__}: {error}") from error


def execute_with_fresh_starts(nb, make_client, timeout, keep_going):
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            return asyncio.run(execute(nb, make_client(), timeout, keep_going))
        except KernelStartFailed as error:
            if attempt == KERNEL_STARTS:
                raise KernelStartFailed(f"the kernel did not start ({KERNEL_STARTS} tries); the last try said: {error}") from error
            print(f"execute_notebook: the kernel did not start ({error}); starting a fresh one", file=sys.stderr)


async def execute_cells(nb, client, code_cells, timeout, keep_going):
    for number, index in enumerate(code_cells, start=1):
        cell = nb.cells[index]
        emit("cell_start", cell=index, number=number, source=cell.source)
        started = time.monotonic()
        try:
            await client.async_execute_cell(cell, index, execution_count=number)
        except CellTimeoutError:
            emit("cell_failed", cell=index, number=number, kind="timeout",
                 message=f"stopped after {timeout} s without finishing")
            return False
        except DeadKernelError as error:
            emit("cell_failed", cell=index, number=number, kind="kernel_died", message=str(error))
            return False
        except CellExecutionError:
            emit("cell_failed", cell=index, number=number, kind="error",
                 message=cell_stderr(cell) or "the kernel reported an error without a message")
            if not keep_going:
                return False
            await asyncio.sleep(AFTER_ERROR_SECONDS)
            continue
        except CellNotRun as error:
            emit("cell_failed", cell=index, number=number, kind="aborted", message=str(error))
            if not keep_going:
                return False
            continue
        emit("cell_done", cell=index, number=number, seconds=round(time.monotonic() - started, 3))
    return True


def write_atomically(nb, path):
    """Whoever opens `path` (the site, a test, another run of the same lesson) sees a whole notebook."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    nbformat.write(nb, temp)
    os.replace(temp, path)


def main():
    stop_with_parent()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run")
    parser.add_argument("--keep-going", action="store_true", help="report a failing cell and run the next one")
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    workdir = os.path.dirname(os.path.abspath(args.notebook))
    def make_client():
        return ReportingClient(nb, timeout=args.timeout, kernel_name=args.kernel, allow_errors=False,
                               resources={"metadata": {"path": workdir}})

    ok = False
    try:
        ok = execute_with_fresh_starts(nb, make_client, args.timeout, args.keep_going)
    except NoSuchKernel:
        emit("fatal", kind="no_kernel", message=f"Jupyter has no kernel named '{args.kernel}'.")
    except KernelStartFailed as error:
        emit("fatal", kind="kernel_start", message=str(error))
    except Exception as error:  # the connection broke, ...
        emit("fatal", kind="kernel", message=f"{type(error).__name__}: {error}")
    finally:
        if args.output == "-":
            emit("notebook", notebook=nb)
        else:
            write_atomically(nb, args.output)
            emit("written", path=args.output)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
