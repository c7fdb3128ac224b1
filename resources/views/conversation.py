"""Conversation between sessions, for signed-in members: the threads on sessions, resources and
topic spaces, raising a concern under the ground rules, private messages, and the organisers'
queue of concerns. Who may read what is decided in resources.selectors.conversation; anything a
member may not read answers 404, the same as something that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms.conversation import ConcernForm, DecisionForm, MessageForm, PostForm
from ..selectors import conversation as selectors
from ..services import conversation as services

MODERATE = "resources.moderate_conversation"


def _thread_page(request, *, subject, thread, title: str, kind: str, back_url: str, action: str,
                 may_post: bool = True):  # fmt: skip
    """Show a thread and take a new post. A refused post keeps its text in the box."""
    form = PostForm(request.POST or None, action=action)
    if request.method == "POST" and may_post and form.is_valid():
        try:
            thread = thread or services.thread_get_or_create(**subject)
            services.post_write(author=request.user, thread=thread, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Your post is up. Replies will be in your digest.")
            return redirect(f"{action}?page=last#latest")
    posts = Paginator(selectors.thread_posts(thread=thread, viewer=request.user), 50)
    page = posts.get_page(request.GET.get("page"))
    return render(
        request,
        "resources/conversation/thread.html",
        {
            "title": title,
            "kind": kind,
            "back_url": back_url,
            "thread": thread,
            "page": page,
            "form": form,
            "may_post": may_post,
            "following": selectors.is_following(member=request.user, thread=thread),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def conversations(request):
    return render(
        request,
        "resources/conversation/index.html",
        {
            "spaces": selectors.spaces_with_counts(),
            "recent": selectors.recent_threads(user=request.user),
            "unread": selectors.unread_messages_count(member=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def space(request, slug):
    space = selectors.space_get(slug=slug)
    if space is None:
        raise Http404
    return _thread_page(
        request,
        subject={"space": space},
        thread=selectors.thread_of(space=space),
        title=space.title,
        kind="Topic space",
        back_url=reverse("resources:conversations"),
        action=reverse("resources:space", args=[slug]),
        may_post=space.is_open,
    )


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def session_thread(request, slug):
    event = selectors.session_for_thread(user=request.user, slug=slug)
    if event is None:
        raise Http404
    return _thread_page(
        request,
        subject={"event": event},
        thread=selectors.thread_of(event=event),
        title=event.title,
        kind="Session",
        back_url=event.get_absolute_url(),
        action=reverse("resources:session_thread", args=[slug]),
    )


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def resource_thread(request, slug):
    resource = selectors.resource_for_thread(user=request.user, slug=slug)
    if resource is None:
        raise Http404
    return _thread_page(
        request,
        subject={"resource": resource},
        thread=selectors.thread_of(resource=resource),
        title=resource.title,
        kind="Resource",
        back_url=resource.get_absolute_url(),
        action=reverse("resources:resource_thread", args=[slug]),
    )


@require_POST
def thread_follow(request, pk):
    thread = selectors.readable_threads(request.user).filter(pk=pk).first()
    if thread is None:
        raise Http404
    following = request.POST.get("follow") == "yes"
    services.follow_set(member=request.user, thread=thread, following=following)
    messages.success(
        request,
        "New posts here will be in your digest."
        if following
        else "You no longer follow this conversation.",
    )
    return redirect(thread.get_absolute_url())


@require_POST
def post_delete(request, pk):
    post = selectors.post_of_reader(user=request.user, pk=pk)
    if post is None or post.author_id != request.user.pk:
        raise Http404
    url = post.thread.get_absolute_url()
    services.post_delete(author=request.user, post=post)
    messages.success(request, "Your post is deleted.")
    return redirect(url)


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def post_concern(request, pk):
    post = selectors.post_of_reader(user=request.user, pk=pk)
    if post is None or post.author_id == request.user.pk:
        raise Http404
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_raise_about_post(
                member=request.user, post=post, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request,
                "Thank you. The post is hidden while an organiser reads it against the ground "
                "rules.",
            )
            return redirect(post.thread.get_absolute_url())
    return render(
        request,
        "resources/conversation/concern.html",
        {"form": form, "post": post, "message_": None, "back_url": post.thread.get_absolute_url()},
        status=400 if request.method == "POST" else 200,
    )


# Messages ---------------------------------------------------------------------------------------


@require_GET
@cache_control(private=True, no_store=True)
def inbox(request):
    return render(
        request,
        "resources/conversation/inbox.html",
        {"correspondents": selectors.correspondents(member=request.user)},
    )


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def messages_with(request, pk):
    other = selectors.message_recipient(sender=request.user, pk=pk)
    if other is None:
        raise Http404
    may_write = selectors.may_message(sender=request.user, recipient=other)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_send(
                sender=request.user, recipient=other, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Sent.")
            return redirect("resources:messages_with", pk=other.pk)
    services.messages_mark_read(member=request.user, other=other)
    return render(
        request,
        "resources/conversation/messages.html",
        {
            "other": other,
            "conversation": selectors.messages_between(member=request.user, other=other),
            "form": form,
            "may_write": may_write,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def message_concern(request, pk):
    message = selectors.message_of_recipient(member=request.user, pk=pk)
    if message is None:
        raise Http404
    back_url = reverse("resources:messages_with", args=[message.sender_id])
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_raise_about_message(
                member=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, "Thank you. An organiser will read the message.")
            return redirect(back_url)
    return render(
        request,
        "resources/conversation/concern.html",
        {"form": form, "post": None, "message_": message, "back_url": back_url},
        status=400 if request.method == "POST" else 200,
    )


# The organisers' queue --------------------------------------------------------------------------


@permission_required(MODERATE, raise_exception=True)
@require_GET
@cache_control(private=True, no_store=True)
def concerns(request):
    waiting = selectors.concerns_waiting(user=request.user)
    rows = [
        (
            row,
            DecisionForm(
                prefix_for=f"{row.kind}{row.pk}",
                action=reverse(f"resources:concern_decide_{row.kind}", args=[row.pk]),
            ),
        )
        for row in waiting
    ]
    return render(request, "resources/conversation/concerns.html", {"rows": rows})


@permission_required(MODERATE, raise_exception=True)
@require_POST
def concern_decide(request, pk, kind):
    target = selectors.concern_target(kind=kind, pk=pk)
    if target is None:
        if not selectors.concern_target_exists(kind=kind, pk=pk):
            raise Http404
        messages.info(request, "That has already been decided.")
        return redirect("resources:concerns")
    form = DecisionForm(request.POST, prefix_for=f"{kind}{pk}")
    if not form.is_valid():
        messages.error(request, "Choose whether to keep it or remove it, then decide again.")
        return redirect("resources:concerns")
    try:
        services.concern_decide(moderator=request.user, target=target, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        kept = form.cleaned_data["outcome"] == "kept"
        what = "post" if kind == "post" else "message"
        messages.success(
            request,
            f"The {what} is kept and shown again."
            if kept
            else f"The {what} is removed"
            + (" and its author told by email." if kind == "post" else "."),
        )
    return redirect("resources:concerns")
