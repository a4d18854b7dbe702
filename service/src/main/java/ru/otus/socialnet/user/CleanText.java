package ru.otus.socialnet.user;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * Text a user typed that the service can store and show: well-formed Unicode, no control
 * characters, no display-reordering characters, and for one-line values something visible.
 * The rules are {@link UnicodeText#problem}; the message names what is wrong.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = CleanText.Validator.class)
public @interface CleanText {

    UnicodeText.Kind value();

    String message() default "is not acceptable text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<CleanText, String> {
        private UnicodeText.Kind kind;

        @Override
        public void initialize(CleanText annotation) {
            kind = annotation.value();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String problem = UnicodeText.problem(value, kind);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            // Plain text, not a message template: nothing of the value itself goes into it.
            context.buildConstraintViolationWithTemplate(problem.replace("{", "\\{").replace("$", "\\$"))
                    .addConstraintViolation();
            return false;
        }
    }
}
