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
