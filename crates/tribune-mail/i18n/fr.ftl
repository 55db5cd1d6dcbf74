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

# Validation par e-mail et échecs de publication
mail-datetime = { $day } { $month ->
    [1] janv.
    [2] févr.
    [3] mars
    [4] avr.
    [5] mai
    [6] juin
    [7] juil.
    [8] août
    [9] sept.
    [10] oct.
    [11] nov.
   *[12] déc.
} { $year } à { $hour } h { $minute } ({ $zone })
mail-approval-subject = Une publication pour « { $workspace } » attend votre validation
mail-approval-body = { $author } a soumis une publication pour « { $workspace } ». La voici telle que chaque canal la publiera.
mail-approval-body-no-author = Une publication pour « { $workspace } » a été soumise. La voici telle que chaque canal la publiera.
mail-approval-when = Programmée le { $date }.
mail-approval-asap = Elle partira dès qu’elle sera validée.
mail-approval-post-title = Titre : { $title }
mail-approval-channel = Sur { $channel } :
    { $text }
mail-approval-action-link = Valider ou demander des modifications
mail-approval-link-expires = Ce lien ne sert qu’une fois, jusqu’au { $date }. Si la publication est modifiée, un nouveau lien vous est envoyé.
mail-approval-link-private = Aucun mot de passe n’est demandé : quiconque a ce lien peut décider à votre place, ne transférez donc pas ce message.
mail-approval-action-page = Ouvrir la publication dans tribune
mail-approval-page-login = Vous décidez depuis la page de la publication, après connexion à tribune.
mail-failed-subject = Une publication pour « { $workspace } » n’a pas pu partir sur { $channel }
mail-failed-body = tribune a renoncé à envoyer une publication de « { $workspace } » sur { $channel }. Elle ne sera plus tentée tant que personne ne la relance.
mail-failed-excerpt = La publication : { $text }
mail-failed-network-said = Le réseau a répondu : { $said }
mail-failed-todo-channel-refused = Que faire ? Le réseau a refusé les identifiants du canal : reconnectez le canal, puis relancez la publication.
mail-failed-todo-channel-not-active = Que faire ? Le canal n’est pas connecté : reconnectez-le, puis relancez la publication.
mail-failed-todo-network-refused = Que faire ? Le réseau a refusé la publication elle-même : corrigez ce qu’il lui reproche, puis relancez-la.
mail-failed-todo-unreachable = Que faire ? Le réseau est resté injoignable malgré plusieurs essais : vérifiez qu’il fonctionne, puis relancez la publication.
mail-failed-todo-rate-limited = Que faire ? Le réseau demande de ralentir : relancez la publication un peu plus tard.
mail-failed-todo-unsupported = Que faire ? Ce réseau ne peut pas publier ce que contient la publication (des images sur un canal texte, une vidéo) : retirez-le pour ce canal, puis relancez.
mail-failed-todo-uncertain = Que faire ? Une tentative a été interrompue et le réseau ne s’en souvient plus. Vérifiez d’abord le canal : la publication est peut-être déjà en ligne. Ne la relancez que si elle n’y est pas.
mail-failed-todo-media-unusable = Que faire ? Un média joint n’a pas pu être préparé pour ce réseau (absent, endommagé, ou trop lourd même réduit) : remplacez-le, puis relancez.
mail-failed-todo-internal = Que faire ? tribune n’a pas pu faire sa part. Relancez la publication ; si elle échoue encore, prévenez l’administration de l’instance.
mail-failed-todo-preflight = Que faire ? La dernière vérification avant l’envoi a trouvé des problèmes pour ce réseau. Ouvrez la publication pour les voir, corrigez-les, puis relancez.
mail-failed-todo-other = Que faire ? Ouvrez la publication pour voir ce qui s’est passé, puis relancez-la.
mail-failed-action = Ouvrir la publication
mail-failed-why = Vous recevez ce message parce que vous pouvez publier dans cet espace.

# Publishing leftovers (issue #10): the media of a post to approve
mail-approval-media = { $count ->
    [one] Un média est joint :
   *[other] { $count } médias sont joints :
}
mail-approval-media-alt = { $position }. { $name }, texte alternatif : « { $alt } »
mail-approval-media-no-alt = { $position }. { $name } : pas de texte alternatif (les personnes qui utilisent un lecteur d’écran ne sauront pas ce qu’il montre)
mail-approval-media-video = { $position }. { $name } (vidéo)
mail-sla-subject = « { $workspace } » : des messages attendent au-delà du délai de réponse
mail-sla-body = { $count ->
    [one] Ce message de « { $workspace } » attend depuis plus longtemps que son délai de réponse :
   *[other] Ces { $count } messages de « { $workspace } » attendent depuis plus longtemps que leur délai de réponse :
}
mail-sla-message = { $author } sur { $channel } : { $text }
    { $link }
mail-sla-action = Ouvrir les messages proches ou au-delà de leur échéance
mail-sla-why-assigned = Vous recevez ce message parce que ces messages vous sont attribués.
mail-sla-why-manager = Vous recevez ce message parce que personne n’est attribué à ces messages et que vous gérez cet espace.
mail-rule-subject = « { $workspace } » : une règle de modération signale un message
mail-rule-body = La règle « { $rule } » de « { $workspace } » a repéré ce message et demande à vous prévenir :
mail-rule-deleted = (supprimée depuis)
mail-rule-action = Ouvrir le message
mail-rule-why = Vous recevez ce message parce qu’une règle de modération de cet espace demande à vous prévenir, ou à prévenir ses propriétaires et responsables.
mail-buzz-subject = « { $workspace } » : une vague de messages négatifs
mail-buzz-body = { $count } messages négatifs ou toxiques sont arrivés à « { $workspace } » depuis une heure, contre { $usual } dans une heure ordinaire. Les plus récents :
mail-buzz-pause = Si la vague porte sur ce que la marque a publié ou va publier, mettez la file de publication en pause depuis la page de l’alerte : plus rien ne part tant que personne ne la relance.
mail-buzz-action = Voir les messages et mettre en pause
mail-buzz-why = Vous recevez ce message parce que vous gérez cet espace.

# Messages envoyés au salon de discussion d’une équipe par un webhook (une ligne, sans balisage).
chat-buzz = ⚠️ « { $workspace } » : { $count } messages négatifs ou toxiques depuis une heure, contre { $usual } dans une heure ordinaire.
chat-buzz-link = Voir les messages et mettre en pause : { $link }
chat-test = ✅ tribune publiera ici les alertes de bad buzz de « { $workspace } ».
