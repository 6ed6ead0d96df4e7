def test_it_shows_the_dashboard(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert "My Applications" in response.text
