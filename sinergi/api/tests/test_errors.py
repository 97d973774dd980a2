from sinergi.accounts.tokens import create_token


def test_it_answers_a_malformed_body_with_field_errors_like_the_services(client, alice):
    _, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read", "persons:write"])
    response = client.post(
        "/api/v1/persons",
        {"full_name": "Siti Aminah", "birth_date": "12-10-1990x", "flag_child": "maybe"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert set(body["errors"]) >= {"birth_date", "flag_child"}
