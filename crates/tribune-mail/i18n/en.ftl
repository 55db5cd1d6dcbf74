# tribune's e-mails (English). Same keys as fr.ftl; a test checks it.
mail-footer = Sent by tribune. You receive this message because it concerns your account or an invitation to your address.

mail-role-owner = owner
mail-role-manager = manager
mail-role-contributor = contributor
mail-role-client = client

mail-invitation-subject = { $inviter } invites you to “{ $workspace }” on tribune
mail-invitation-body = { $inviter } invites you to join the “{ $workspace }” workspace as { $role }.
mail-invitation-action = See the invitation
mail-invitation-expires = This link is valid until { $date }.
mail-invitation-unexpected = Not expecting this invitation? Ignore this message: nothing will be created.

mail-reset-subject = Choose a new password
mail-reset-body = Someone (probably you) asked to change the password of your tribune account. This link lets you choose a new one; it works once.
mail-reset-action = Choose a new password
mail-reset-expires = { $minutes ->
    [one] It expires in { $minutes } minute.
   *[other] It expires in { $minutes } minutes.
}
mail-reset-unexpected = Did not ask for anything? Ignore this message: your password stays the same.

mail-new-device-subject = New login to your tribune account
mail-new-device-body = Your account was just used from a device or an address tribune had not seen before.
mail-new-device-details = When: { $date }. Address: { $ip }. Device: { $device }.
mail-new-device-action = See my sessions
mail-new-device-unexpected = Not you? Change your password and end the other sessions from your account page.

mail-locked-subject = Logins to your tribune account suspended
mail-locked-body = Too many wrong passwords were tried for your account from the address { $ip }. Logins from that address are refused for now.
mail-locked-wait = { $minutes ->
    [one] Try again in { $minutes } minute.
   *[other] Try again in { $minutes } minutes.
}
mail-locked-action = Choose a new password
mail-locked-unexpected = Not you? Someone may be trying to guess your password: choose a long one, and turn on two-factor authentication.

mail-test-subject = tribune test e-mail
mail-test-body = If you can read this, tribune ({ $url }) can send e-mail.

# Approval by e-mail and publishing failures
mail-datetime = { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $year }, { $hour }:{ $minute } ({ $zone })
mail-approval-subject = A post for “{ $workspace }” awaits your approval
mail-approval-body = { $author } submitted a post for “{ $workspace }”. Here it is as each channel will publish it.
mail-approval-body-no-author = A post for “{ $workspace }” was submitted. Here it is as each channel will publish it.
mail-approval-when = Scheduled for { $date }.
mail-approval-asap = To be published as soon as it is approved.
mail-approval-post-title = Title: { $title }
mail-approval-channel = On { $channel }:
    { $text }
mail-approval-action-link = Approve or request changes
mail-approval-link-expires = This link works once, until { $date }. If the post is changed, a new link is sent.
mail-approval-link-private = No password is needed: whoever has this link can decide for you, so do not forward this message.
mail-approval-action-page = Open the post in tribune
mail-approval-page-login = You decide from the post's page, once logged in.
mail-failed-subject = A post for “{ $workspace }” could not be published on { $channel }
mail-failed-body = tribune gave up publishing a post of “{ $workspace }” on { $channel }. It will not be tried again until someone retries it.
mail-failed-excerpt = The post: { $text }
mail-failed-network-said = The network said: { $said }
mail-failed-todo-channel-refused = What to do: the network refused the channel's credentials. Reconnect the channel, then retry the post.
mail-failed-todo-channel-not-active = What to do: the channel is not connected. Reconnect it, then retry the post.
mail-failed-todo-network-refused = What to do: the network refused the post itself. Change what it objects to, then retry.
mail-failed-todo-unreachable = What to do: the network could not be reached, even after several tries. Check that it is up, then retry.
mail-failed-todo-rate-limited = What to do: the network asked to slow down. Retry the post a little later.
mail-failed-todo-unsupported = What to do: this network cannot publish what the post contains (images on a text-only channel, a video). Remove it for this channel, then retry.
mail-failed-todo-uncertain = What to do: an attempt was interrupted and the network no longer remembers it. Check the channel first: the post may already be out. Retry only if it is not.
mail-failed-todo-media-unusable = What to do: an attached media could not be prepared for this network (missing, damaged, or too large even reduced). Replace it, then retry.
mail-failed-todo-internal = What to do: tribune could not do its part. Retry the post; if it fails again, tell the instance's administrators.
mail-failed-todo-preflight = What to do: the last check before sending found problems with the post for this network. Open the post to see them, fix them, then retry.
mail-failed-todo-other = What to do: open the post to see what happened, then retry it.
mail-failed-action = Open the post
mail-failed-why = You receive this message because you can publish in this workspace.

# Publishing leftovers (issue #10): the media of a post to approve
mail-approval-media = { $count ->
    [one] One media is attached:
   *[other] { $count } media are attached:
}
mail-approval-media-alt = { $position }. { $name }, alt text: “{ $alt }”
mail-approval-media-no-alt = { $position }. { $name }: no alt text (people who use a screen reader will not know what it shows)
mail-approval-media-video = { $position }. { $name } (video)
mail-sla-subject = “{ $workspace }”: messages are waiting past their response time
mail-sla-body = { $count ->
    [one] This message of “{ $workspace }” has waited longer than its response-time target:
   *[other] These { $count } messages of “{ $workspace }” have waited longer than its response-time target:
}
mail-sla-message = { $author } on { $channel }: { $text }
    { $link }
mail-sla-action = Open the messages near or past their deadline
mail-sla-why-assigned = You receive this message because these messages are assigned to you.
mail-sla-why-manager = You receive this message because nobody is assigned to these messages and you manage this workspace.
mail-rule-subject = “{ $workspace }”: a moderation rule flagged a message
mail-rule-body = The rule “{ $rule }” of “{ $workspace }” matched this message and asks to tell you:
mail-rule-deleted = (deleted since)
mail-rule-action = Open the message
mail-rule-why = You receive this message because a moderation rule of this workspace asks to tell you, or its owners and managers.
mail-buzz-subject = “{ $workspace }”: a wave of negative messages
mail-buzz-body = { $count } negative or toxic messages reached “{ $workspace }” in the last hour, against { $usual } in a usual hour. The newest:
mail-buzz-pause = If the wave is about something the brand published or will publish, pause the publishing queue from the alert’s page: nothing more goes out until someone resumes it.
mail-buzz-action = See the messages and pause publishing
mail-buzz-why = You receive this message because you manage this workspace.

# Messages posted to a team's chat through a webhook (one line, no markup).
chat-buzz = ⚠️ “{ $workspace }”: { $count } negative or toxic messages in the last hour, against { $usual } in a usual hour.
chat-buzz-link = See the messages and pause publishing: { $link }
chat-test = ✅ tribune will post the bad-buzz alerts of “{ $workspace }” here.
