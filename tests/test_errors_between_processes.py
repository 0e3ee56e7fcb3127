"""Errors cross process boundaries intact: a multiprocessing pool (the benchmarks' writers, a
batch job) hands a worker's exception back pickled, and one that cannot be rebuilt leaves the
pool waiting forever for a result that never comes."""
from __future__ import annotations

import multiprocessing
import pickle
from datetime import timedelta

import pytest

from audit import LogError
from portal.accounts.passwords import HashingBusy
from portal.accounts.throttle import TooManyFailedLogins
from portal.imports.rows import Problem
from portal.imports.services import BatchRefused
from portal.kernel.errors import LogIntegrityError, NotFound, PermissionDenied, ValidationError


def errors() -> list[Exception]:
    return [
        ValidationError({"amount": "金额不能为负", "number": "请填写收据号"}),
        BatchRefused([Problem("", 3, "地块编号", "重复")]),
        NotFound("没有编号为“X”的合同"), PermissionDenied("只能修改本村的收据"),
        LogIntegrityError("第 3 条记录被改过"), HashingBusy(),
        TooManyFailedLogins(timedelta(minutes=3, seconds=10)), LogError("bad hash", seq=7),
    ]


def same(a: Exception, b: Exception) -> bool:
    """Same class, message and the data each carries."""
    fields = ("errors", "problems", "retry_after", "seq")
    return type(a) is type(b) and str(a) == str(b) and all(
        getattr(a, name, None) == getattr(b, name, None) for name in fields)


def raise_error(index: int) -> None:
    raise errors()[index]


@pytest.mark.parametrize("error", errors(), ids=lambda e: type(e).__name__)
def test_a_service_error_survives_pickling(error):
    assert same(pickle.loads(pickle.dumps(error)), error)


def test_a_pool_worker_that_raises_a_validation_error_hands_it_back():
    """Before __reduce__, unpickling ValidationError(message) failed inside the pool's result
    thread, and `get()` waited forever: the timeout turns that hang into a failure."""
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for index, expected in enumerate(errors()):
            with pytest.raises(type(expected)) as raised:
                pool.apply_async(raise_error, (index,)).get(timeout=60)
            assert same(raised.value, expected)
