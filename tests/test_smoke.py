from flask.testing import FlaskClient

from tests.conftest import sign_in
from training.models import Person


def test_learner_sees_assigned_modules_after_sign_in(client: FlaskClient, learner: Person) -> None:
    sign_in(client, learner.email)
    page = client.get("/training").text
    assert "Alpha Basics" in page
    assert "Beta Limited" in page
