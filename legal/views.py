from django.http import Http404
from django.shortcuts import render

from .policies import PRIVACY_POLICY_VERSIONS, current_privacy_policy, privacy_policy


def privacy_policy_page(request, version=None):
    policy = privacy_policy(version) if version else current_privacy_policy()
    if policy is None:
        raise Http404
    return render(
        request,
        "legal/privacy_policy.html",
        {
            "policy": policy,
            "is_current": policy == current_privacy_policy(),
            "versions": PRIVACY_POLICY_VERSIONS,
        },
    )
