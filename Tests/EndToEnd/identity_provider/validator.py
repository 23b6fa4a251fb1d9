from oauth2_provider.oauth2_validators import OAuth2Validator


class PersonValidator(OAuth2Validator):
    """The person's address and name in the ID token, as a staff identity provider gives them."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "email_verified": True, "name": user.get_full_name(), "amr": ["pwd"]}
