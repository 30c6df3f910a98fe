"""The first content of the quality process: the five themes of the brief, an active questionnaire and
version 1 of the charter. Staff edit all of it afterwards in the back office; this only seeds it."""

from django.db import migrations
from django.utils import timezone

THEMES = [
    ("aptitudes", "Aptitudes"),
    ("publics", "Publics"),
    ("territoires", "Territoires"),
    ("innovation", "Innovation"),
    ("competences-specifiques", "Compétences spécifiques"),
]

QUESTIONNAIRE_NAME = "Questionnaire qualité #APTIC"
THRESHOLD_PERCENT = "60.00"

# theme code → [(question, help text, weight, [(answer, points), ...]), ...]
QUESTIONS = {
    "aptitudes": [
        (
            "Combien de médiateurs numériques formés accueillent le public ?",
            "Salariés, agents ou bénévoles formés à la médiation numérique, présents au moins une demi-journée par semaine.",
            3,
            [("Aucun", 0), ("Un", 1), ("Deux ou trois", 2), ("Quatre ou plus", 3)],
        ),
        (
            "Quelle formation ont suivie vos médiateurs numériques ?",
            "Retenez le niveau le plus élevé dans l'équipe.",
            2,
            [
                ("Aucune formation spécifique", 0),
                ("Formation interne ou autoformation", 1),
                ("Formation certifiante suivie par une partie de l'équipe (Pix, CCP « Aidant numérique »)", 2),
                ("Toute l'équipe est certifiée ou diplômée (titre professionnel, Conseiller numérique)", 3),
            ],
        ),
        (
            "Combien d'heures par semaine le public peut-il être accompagné ?",
            "",
            2,
            [("Moins de 5 heures", 0), ("De 5 à 14 heures", 1), ("De 15 à 29 heures", 2), ("30 heures ou plus", 3)],
        ),
    ],
    "publics": [
        (
            "Quels publics accueillez-vous ?",
            "",
            3,
            [
                ("Uniquement nos adhérents ou un public réservé", 0),
                ("Un ou deux publics ciblés (seniors, jeunes, demandeurs d'emploi…)", 1),
                ("Tous les publics, sur rendez-vous", 2),
                ("Tous les publics, avec ou sans rendez-vous, y compris les personnes très éloignées du numérique", 3),
            ],
        ),
        (
            "Votre lieu est-il accessible aux personnes en situation de handicap ?",
            "Accès au bâtiment, poste adapté, accueil formé.",
            2,
            [
                ("Non", 0),
                ("Partiellement", 1),
                ("Oui, et l'accessibilité est décrite sur Acceslibre", 3),
            ],
        ),
        (
            "Combien de personnes accompagnez-vous en moyenne chaque mois ?",
            "",
            1,
            [("Moins de 20", 0), ("De 20 à 49", 1), ("De 50 à 149", 2), ("150 ou plus", 3)],
        ),
    ],
    "territoires": [
        (
            "Travaillez-vous avec les acteurs sociaux de votre territoire (CCAS, France Travail, CAF, mairie) ?",
            "",
            2,
            [
                ("Non", 0),
                ("Occasionnellement", 1),
                ("Oui, ils nous orientent régulièrement des personnes", 2),
                ("Oui, dans le cadre d'une convention ou d'un réseau local", 3),
            ],
        ),
        (
            "Intervenez-vous hors de vos murs (permanences, itinérance, à domicile) ?",
            "",
            1,
            [("Non", 0), ("Ponctuellement", 1), ("Au moins une fois par mois", 2), ("Chaque semaine", 3)],
        ),
    ],
    "innovation": [
        (
            "Proposez-vous des ateliers de création numérique (fabrication, programmation, image, son) ?",
            "",
            1,
            [("Non", 0), ("Quelques fois par an", 1), ("Au moins une fois par mois", 2)],
        ),
        (
            "Comment évaluez-vous vos accompagnements ?",
            "",
            1,
            [
                ("Nous ne les évaluons pas", 0),
                ("Nous recueillons l'avis des personnes de façon informelle", 1),
                ("Questionnaire de satisfaction et bilan annuel partagé", 2),
            ],
        ),
        (
            "Partagez-vous vos ressources pédagogiques avec d'autres structures ?",
            "Par exemple sous licence libre, sur une plateforme commune ou au sein d'un réseau.",
            1,
            [("Non", 0), ("Parfois", 1), ("Oui, régulièrement", 2)],
        ),
    ],
    "competences-specifiques": [
        (
            "Vos médiateurs sont-ils habilités Aidants Connect ?",
            "L'habilitation permet de réaliser une démarche en ligne pour le compte d'une personne, en sécurité.",
            2,
            [("Non", 0), ("Habilitation en cours", 1), ("Oui", 2)],
        ),
        (
            "Accompagnez-vous la sécurité en ligne (mots de passe, arnaques, données personnelles) ?",
            "",
            1,
            [("Non", 0), ("Sur demande", 1), ("Oui, avec des ateliers dédiés réguliers", 2)],
        ),
        (
            "Proposez-vous un accompagnement adapté (langue étrangère, FALC, langue des signes) ?",
            "FALC : facile à lire et à comprendre.",
            1,
            [("Non", 0), ("Oui, une de ces adaptations", 1), ("Oui, plusieurs", 2)],
        ),
    ],
}

CHARTER_TITLE = "Charte #APTIC et conditions générales d'utilisation"
CHARTER_BODY = """\
Article 1 — Objet
La présente charte et les conditions générales d'utilisation fixent les engagements réciproques de la structure de médiation numérique (« la structure ») et de la plateforme #APTIC. Les accepter est une condition pour être labellisée #APTIC, apparaître sur la carte des lieux et accepter les chèques #APTIC.

Article 2 — Une médiation numérique qualifiée
La structure délivre les services référencés sur #APTIC par des médiateurs numériques formés. Elle décrit ses services avec exactitude (contenu, durée, format, prix) et les tient à jour. Elle informe l'équipe #APTIC de tout changement qui affecte les réponses données au questionnaire qualité.

Article 3 — L'accueil de tous les publics
La structure accueille toute personne munie de chèques #APTIC, sans discrimination, dans la limite des publics auxquels s'adresse le service choisi. Elle porte une attention particulière aux personnes les plus éloignées du numérique et adapte son accompagnement à leurs besoins.

Article 4 — L'acceptation des chèques #APTIC
La structure accepte les chèques #APTIC en paiement de tout ou partie des services référencés, pendant leur durée de validité et selon les règles d'usage fixées par le commanditaire (territoire, types de lieux, services, nombre de chèques par acte). Elle vérifie chaque chèque et enregistre son utilisation sur la plateforme le jour même.
Aucune monnaie n'est rendue sur un chèque : la structure n'accepte jamais plus de chèques que nécessaire pour couvrir le prix du service ; la personne peut compléter le paiement par un autre moyen.

Article 5 — Interdiction de revente
Les chèques #APTIC ne peuvent être ni vendus, ni échangés contre de l'argent ou des biens, ni cédés à un tiers. La structure ne les accepte qu'en paiement d'un service réellement rendu, et jamais pour un service qui n'est pas référencé sur #APTIC.

Article 6 — Protection des données personnelles
La structure respecte le règlement général sur la protection des données (RGPD). Elle ne collecte sur les bénéficiaires que les données nécessaires à l'accompagnement, ne les transmet pas à #APTIC, et garde confidentielles les informations dont elle a connaissance lors d'une démarche. La plateforme n'enregistre l'utilisation des chèques que de façon anonyme ; seules des données agrégées sont communiquées aux commanditaires et publiées en open data.

Article 7 — Remboursement des chèques
Chaque mois, #APTIC rembourse à la structure, par virement, la valeur faciale des chèques dont elle a enregistré l'utilisation le mois précédent, sans frais. Le premier virement suppose que les coordonnées bancaires de la structure aient été vérifiées par l'équipe #APTIC. Un chèque enregistré en infraction à la présente charte (chèque expiré, hors des règles d'usage, utilisé deux fois) n'est pas remboursé.

Article 8 — Abonnement et kit #APTIC
L'abonnement coûte 7 € HT par mois ou 77 € HT par an ; le premier mois est offert. Il est payé par virement, déduit des remboursements de chèques, ou pris en charge par un commanditaire du territoire. Il donne accès à la plateforme et au kit #APTIC (signalétique, supports de communication). La structure peut le résilier à tout moment depuis son espace ; la résiliation prend effet à la fin de la période déjà payée.

Article 9 — Suivi de la qualité
Les bénéficiaires peuvent noter les services rendus. L'équipe #APTIC peut demander à la structure de mettre à jour son questionnaire qualité. En cas de manquement grave à la charte, l'équipe peut suspendre la labellisation après avoir entendu la structure.

Article 10 — Évolution de la charte
La charte peut évoluer. Chaque nouvelle version est publiée sur la plateforme et doit être acceptée par un administrateur de la structure ; tant qu'elle ne l'est pas, la structure n'est plus labellisée.
"""


def seed(apps, schema_editor):
    Theme = apps.get_model("providers", "QualificationTheme")
    Questionnaire = apps.get_model("providers", "Questionnaire")
    Question = apps.get_model("providers", "Question")
    AnswerOption = apps.get_model("providers", "AnswerOption")
    CharterVersion = apps.get_model("providers", "CharterVersion")

    themes = {}
    for position, (code, name) in enumerate(THEMES, start=1):
        themes[code], _ = Theme.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if not Questionnaire.objects.filter(is_active=True).exists():
        questionnaire = Questionnaire.objects.create(
            name=QUESTIONNAIRE_NAME, threshold_percent=THRESHOLD_PERCENT, is_active=True
        )
        for code, questions in QUESTIONS.items():
            for position, (text, help_text, weight, options) in enumerate(questions, start=1):
                question = Question.objects.create(
                    questionnaire=questionnaire,
                    theme=themes[code],
                    text=text,
                    help_text=help_text,
                    weight=weight,
                    position=position,
                )
                AnswerOption.objects.bulk_create(
                    AnswerOption(question=question, label=label, points=points, position=n)
                    for n, (label, points) in enumerate(options, start=1)
                )
    if not CharterVersion.objects.exists():
        CharterVersion.objects.create(version=1, title=CHARTER_TITLE, body=CHARTER_BODY, published_at=timezone.now())


def unseed(apps, schema_editor):
    apps.get_model("providers", "CharterVersion").objects.filter(version=1, acceptances__isnull=True).delete()
    apps.get_model("providers", "Questionnaire").objects.filter(
        name=QUESTIONNAIRE_NAME, submissions__isnull=True
    ).delete()
    apps.get_model("providers", "QualificationTheme").objects.filter(
        code__in=[code for code, _ in THEMES], question__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0002_provider_contact_name")]

    operations = [migrations.RunPython(seed, unseed)]
