package ru.otus.socialnet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class SocialNetApplication {

    public static void main(String[] args) {
        SpringApplication.run(SocialNetApplication.class, args);
    }
}
