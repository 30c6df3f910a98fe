from django import template

from aptic.site.todo import staff_todo as _staff_todo

register = template.Library()


@register.inclusion_tag("site/_staff_todo.html")
def staff_todo():
    return {"items": _staff_todo()}
