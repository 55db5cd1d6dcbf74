# E-mails de tribune (français). Mêmes clés que en.ftl ; un test le vérifie.
mail-footer = Envoyé par tribune. Vous recevez ce message parce qu’il concerne votre compte ou une invitation à votre adresse.

mail-role-owner = propriétaire
mail-role-manager = responsable
mail-role-contributor = contributeur·rice
mail-role-client = client·e

mail-invitation-subject = { $inviter } vous invite dans « { $workspace } » sur tribune
mail-invitation-body = { $inviter } vous invite à rejoindre l’espace « { $workspace } » en tant que { $role }.
mail-invitation-action = Voir l’invitation
mail-invitation-expires = Ce lien est valable jusqu’au { $date }.
mail-invitation-unexpected = Vous n’attendiez pas cette invitation ? Ignorez ce message : rien ne sera créé.

mail-reset-subject = Choisir un nouveau mot de passe
mail-reset-body = Quelqu’un (vous, sans doute) a demandé à changer le mot de passe de votre compte tribune. Ce lien permet d’en choisir un nouveau ; il ne sert qu’une fois.
mail-reset-action = Choisir un nouveau mot de passe
mail-reset-expires = { $minutes ->
    [one] Il expire dans { $minutes } minute.
   *[other] Il expire dans { $minutes } minutes.
}
mail-reset-unexpected = Vous n’avez rien demandé ? Ignorez ce message : votre mot de passe reste le même.

mail-new-device-subject = Nouvelle connexion à votre compte tribune
mail-new-device-body = Votre compte vient d’être utilisé depuis un appareil ou une adresse que tribune ne connaissait pas.
mail-new-device-details = Quand : { $date }. Adresse : { $ip }. Appareil : { $device }.
mail-new-device-action = Voir mes sessions
mail-new-device-unexpected = Ce n’était pas vous ? Changez votre mot de passe et fermez les autres sessions depuis la page de votre compte.

mail-locked-subject = Connexions à votre compte tribune suspendues
mail-locked-body = Trop de mots de passe erronés ont été essayés pour votre compte depuis l’adresse { $ip }. Les connexions depuis cette adresse sont refusées pour l’instant.
mail-locked-wait = { $minutes ->
    [one] Réessayez dans { $minutes } minute.
   *[other] Réessayez dans { $minutes } minutes.
}
mail-locked-action = Choisir un nouveau mot de passe
mail-locked-unexpected = Ce n’était pas vous ? Quelqu’un essaie peut-être de deviner votre mot de passe : choisissez-en un long, et activez la double authentification.

mail-test-subject = E-mail de test de tribune
mail-test-body = Si vous lisez ceci, tribune ({ $url }) sait envoyer des e-mails.
